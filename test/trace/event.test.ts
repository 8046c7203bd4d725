/** src/trace/event.ts: the numeric value of a printed field of a non-page event */
import { describe, expect, it } from 'vitest';
import { fieldNumber, TraceEvent } from '../../src/trace/event.js';
import { Intern } from '../../src/trace/intern.js';
import { parseFieldList } from '../../src/trace/fields.js';

describe('fieldNumber', () => {
  it('when a value is decimal, signed or with a kB unit then it is that number', () => {
    // oom.h mark_victim prints `total-vm=%lukB`; vmscan.h prints signed and unsigned decimals
    expect([fieldNumber('0'), fieldNumber('12'), fieldNumber('-1'), fieldNumber('1234kB'), fieldNumber('007')]).toEqual([0, 12, -1, 1234, 7]);
  });

  it('when a value is 0x-hex (compaction.h pfns) then it is parsed as hex, with or without kB', () => {
    expect([fieldNumber('0x640000'), fieldNumber('0xFFkB'), fieldNumber('0xaBc')]).toEqual([0x640000, 0xff, 0xabc]);
  });

  it('when a value is not a number then it is NaN', () => {
    for (const v of ['', 'kB', '-', '-kB', '0x', '0xg1', 'Normal', 'async', '12a', '1-2', '- 1', 'RECLAIM_WB_ANON|RECLAIM_WB_ASYNC', '1.5', 'kB12']) {
      expect(fieldNumber(v), v).toBeNaN();
    }
  });
});

describe('parseFieldList', () => {
  const fieldsOf = (text: string): [string, string][] => {
    const ev = new TraceEvent(new Intern(), new Intern(), new Intern());
    expect(parseFieldList(text, ev)).toBe(true);
    return ev.fieldKeys.slice(0, ev.nFields).map((k, i) => [k, ev.fieldValues[i]!]);
  };

  it('when mark_victim names a task with spaces then comm keeps every word and the next keys stay whole', () => {
    // include/trace/events/oom.h mark_victim: "pid=%d comm=%s total-vm=%lukB anon-rss=%lukB file-rss:%lukB ..."
    expect(fieldsOf('pid=4321 comm=Web Content total-vm=2304kB anon-rss=1024kB file-rss:12kB shmem-rss:0kB uid=1000 pgtables=88kB oom_score_adj=0')).toEqual([
      ['pid', '4321'], ['comm', 'Web Content'], ['total-vm', '2304kB'], ['anon-rss', '1024kB'], ['file-rss', '12kB'],
      ['shmem-rss', '0kB'], ['uid', '1000'], ['pgtables', '88kB'], ['oom_score_adj', '0'],
    ]);
  });

  it('when a bare word precedes a key elsewhere then it stays that key\'s prefix (mm_setup_per_zone_wmarks)', () => {
    expect(fieldsOf('node_id=0 zone name=Normal   watermark min=5 low=8')).toEqual([
      ['node_id', '0'], ['zone_name', 'Normal'], ['watermark_min', '5'], ['low', '8'],
    ]);
  });
});
