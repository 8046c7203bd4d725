/** mm/compaction.c (v6.18): compaction — being built (issue 4). */
export interface CompactionState {}
