/** Policy v6.18: Linux 6.18 (mm/page_alloc.c, mm/internal.h, include/linux/mmzone.h @ v6.18). */
import type { Policy } from './policy.js';

export const v6_18: Policy = {
  name: 'v6.18',
  tag: 'v6.18',
  gfpEra: '6.15',
  maxPageOrder: 10,
  maxOrderConstant: 10,
  costlyOrder: 3,
  minFreeKbytesMax: 262144,
  movableAsHighmem: true,
  hasWatermarkBoost: true,
  hasWatermarkScaleFactor: true,
  boostMinZonePageblocks: 4,
};
