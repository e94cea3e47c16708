import { describe, expect, it } from 'vitest';
import {
  answerDelta,
  answersProblem,
  reviewStatsDelta,
  type SurveyQuestion,
  surveyOpen,
  surveyQuestionsProblem,
  toReviewStats,
  toSurveyResults,
} from '../../shared/domain/index.js';

const fold = (deltas: Array<Record<string, number>>) => {
  const out: Record<string, number> = {};
  for (const d of deltas) for (const [k, v] of Object.entries(d)) out[k] = (out[k] ?? 0) + v;
  return out;
};

describe('review counters', () => {
  it('a new review counts once per item; an edit moves only the rating; a text-only edit moves nothing', () => {
    const first = reviewStatsDelta(null, { rating: 4, itemIds: ['i1', 'i2', 'i1'] });
    expect(first).toEqual({ count: 1, ratingSum: 4, h4: 1, 'i#i1#n': 1, 'i#i1#s': 4, 'i#i2#n': 1, 'i#i2#s': 4 });
    const edit = reviewStatsDelta({ rating: 4, itemIds: ['i1', 'i2'] }, { rating: 2, itemIds: ['i1', 'i2'] });
    expect(edit).toEqual({ ratingSum: -2, h4: -1, h2: 1, 'i#i1#s': -2, 'i#i2#s': -2 });
    expect(reviewStatsDelta({ rating: 3, itemIds: ['i1'] }, { rating: 3, itemIds: ['i1'] })).toEqual({});
  });

  it('folding any sequence of writes and edits equals counting the final reviews once', () => {
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let run = 0; run < 50; run++) {
      const reviews = new Map<number, { rating: number; itemIds: string[] }>();
      const deltas: Array<Record<string, number>> = [];
      for (let step = 0; step < 40; step++) {
        const entry = rnd(8);
        const next = {
          rating: rnd(5) + 1,
          itemIds: reviews.get(entry)?.itemIds ?? (['i1', 'i2', 'i3'].filter(() => rnd(2) === 0) as string[]),
        };
        deltas.push(reviewStatsDelta(reviews.get(entry) ?? null, next));
        reviews.set(entry, next);
      }
      const recount = fold([...reviews.values()].map((r) => reviewStatsDelta(null, r)));
      expect(toReviewStats(fold(deltas), ['i1', 'i2', 'i3'])).toEqual(toReviewStats(recount, ['i1', 'i2', 'i3']));
    }
  });

  it('read back: averages to one decimal, items without reviews left out, nothing yet is zero', () => {
    expect(toReviewStats(null, ['i1'])).toEqual({ count: 0, ratingSum: 0, average: null, histogram: [0, 0, 0, 0, 0], items: [] });
    const stats = toReviewStats({ count: 3, ratingSum: 11, h3: 1, h4: 1, h4x: 9, h5: 1, 'i#i2#n': 3, 'i#i2#s': 11 }, ['i1', 'i2']);
    expect(stats).toEqual({
      count: 3,
      ratingSum: 11,
      average: 3.7,
      histogram: [0, 0, 1, 1, 1],
      items: [{ itemId: 'i2', count: 3, ratingSum: 11, average: 3.7 }],
    });
  });
});

const Q: SurveyQuestion[] = [
  { kind: 'choice', prompt: '想团什么', options: ['水果', '蔬菜', '海鲜'], multiple: true, optional: false },
  { kind: 'choice', prompt: '自提还是送货', options: ['自提', '送货'], multiple: false, optional: true },
  { kind: 'rating', prompt: '满意吗', optional: false },
  { kind: 'text', prompt: '建议', optional: true },
];

describe('survey rules', () => {
  it('options must be distinct (after trimming)', () => {
    expect(surveyQuestionsProblem(Q)).toBeNull();
    expect(surveyQuestionsProblem([{ ...Q[0]!, options: ['水果', ' 水果'] } as SurveyQuestion])).toEqual({
      path: 'body.questions[0].options',
      message: 'options must be distinct',
    });
  });

  it('answers fit their questions; optional ones may be skipped; each problem names its field', () => {
    expect(answersProblem(Q, [{ options: [0, 2] }, null, { rating: 5 }, null])).toBeNull();
    expect(answersProblem(Q, [{ options: [0] }, { options: [] }, { rating: 1 }, { text: '' }])).toBeNull();
    const cases: Array<[unknown[], string]> = [
      [[{ options: [0] }], 'body.answers'],
      [[null, null, { rating: 5 }, null], 'body.answers[0]'],
      [[{ options: [] }, null, { rating: 5 }, null], 'body.answers[0].options'],
      [[{ options: [0, 3] }, null, { rating: 5 }, null], 'body.answers[0].options'],
      [[{ options: [1.5] }, null, { rating: 5 }, null], 'body.answers[0].options'],
      [[{ options: [0] }, { options: [0, 1] }, { rating: 5 }, null], 'body.answers[1].options'],
      [[{ options: [0] }, null, { text: '5' }, null], 'body.answers[2]'],
      [[{ options: [0] }, null, { rating: 5, text: 'x' }, null], 'body.answers[2]'],
      [[{ options: [0] }, null, null, null], 'body.answers[2]'],
      [[{ options: [0] }, null, { rating: 3.5 }, null], 'body.answers[2].rating'],
    ];
    for (const [answers, path] of cases) expect(answersProblem(Q, answers as never)?.path, JSON.stringify(answers)).toBe(path);
  });

  it('an answer adds one respondent, its options, its rating and histogram, and its non-blank texts', () => {
    const a = answerDelta(Q, [{ options: [0, 2] }, { options: [] }, { rating: 4 }, { text: '  ' }]);
    expect(a).toEqual({ delta: { respondents: 1, 'q0#n': 1, 'q0#o0': 1, 'q0#o2': 1, 'q2#n': 1, 'q2#s': 4, 'q2#h4': 1 }, texts: [] });
    const b = answerDelta(Q, [{ options: [1] }, { options: [1] }, { rating: 2 }, { text: '多团水果' }]);
    expect(b.texts).toEqual([{ question: 3, text: '多团水果' }]);
    const results = toSurveyResults(Q, fold([a.delta, b.delta]));
    expect(results.respondents).toBe(2);
    expect(results.questions[0]).toMatchObject({ answered: 2, options: [{ count: 1 }, { count: 1 }, { count: 1 }] });
    expect(results.questions[1]).toMatchObject({
      answered: 1,
      options: [
        { option: '自提', count: 0 },
        { option: '送货', count: 1 },
      ],
    });
    expect(results.questions[2]).toEqual({
      index: 2,
      kind: 'rating',
      prompt: '满意吗',
      answered: 2,
      ratingSum: 6,
      average: 3,
      histogram: [0, 1, 0, 1, 0],
    });
    expect(results.questions[3]).toEqual({ index: 3, kind: 'text', prompt: '建议', answered: 1 });
  });

  it('open until closesAt (exclusive)', () => {
    expect(surveyOpen(null, new Date('2030-01-01T00:00:00Z'))).toBe(true);
    expect(surveyOpen('2026-12-01T00:00:00.000Z', new Date('2026-11-30T23:59:59.999Z'))).toBe(true);
    expect(surveyOpen('2026-12-01T00:00:00.000Z', new Date('2026-12-01T00:00:00.000Z'))).toBe(false);
  });
});
