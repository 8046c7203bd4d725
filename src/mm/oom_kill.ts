/** mm/oom_kill.c (v6.18): tasks and the OOM killer — being built (issue 4). */
export interface TaskTable {}
