/** mm/vmscan.c (v6.18): the reclaim model, direct reclaim and kswapd — being built (issue 4). */
export interface ReclaimState {}
