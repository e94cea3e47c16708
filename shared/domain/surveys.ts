/**
 * Short surveys (问卷) of a community. Pure: the question kinds, what the schema cannot say about a
 * survey or an answer (a 400 naming the field), and how one answer moves the results: flat counters
 * ADDed in the answer's own transaction, so the leader's results are one GetItem, never a scan.
 */

export const SURVEY_LIMITS = {
  questionsMin: 1,
  questionsMax: 10,
  optionsMin: 2,
  optionsMax: 10,
  titleMax: 60,
  promptMax: 200,
  optionMax: 60,
  textMax: 500,
} as const;

export type SurveyQuestion =
  | { kind: 'choice'; prompt: string; options: string[]; multiple: boolean; optional: boolean }
  | { kind: 'rating'; prompt: string; optional: boolean }
  | { kind: 'text'; prompt: string; optional: boolean };

/** members: the community's active members (and its team); participants: members of one of its campaigns */
export type SurveyAudience = 'members' | 'participants';

/** One answer, at the index of its question; null skips an optional question. */
export type SurveyAnswer = { options?: number[]; rating?: number; text?: string } | null;

export interface FieldProblem {
  path: string;
  message: string;
}

/** What the schema cannot say of a survey's questions: distinct options. Null when fine. */
export function surveyQuestionsProblem(questions: readonly SurveyQuestion[]): FieldProblem | null {
  for (const [i, q] of questions.entries()) {
    if (q.kind !== 'choice') continue;
    const seen = new Set(q.options.map((o) => o.trim()));
    if (seen.size !== q.options.length) return { path: `body.questions[${i}].options`, message: 'options must be distinct' };
  }
  return null;
}

/**
 * Whether `answers` answer `questions`: one per question (in order), of the question's kind, in its
 * range; a required question answered. The first problem names its field (`body.answers[i].…`).
 */
export function answersProblem(questions: readonly SurveyQuestion[], answers: readonly SurveyAnswer[]): FieldProblem | null {
  if (answers.length !== questions.length) {
    return { path: 'body.answers', message: `expected ${questions.length} answers, one per question (null skips an optional one)` };
  }
  for (const [i, q] of questions.entries()) {
    const a = answers[i] ?? null;
    const at = `body.answers[${i}]`;
    const given = a ? (['options', 'rating', 'text'] as const).filter((k) => a[k] !== undefined) : [];
    if (given.length === 0) {
      if (q.optional) continue;
      return { path: at, message: 'this question must be answered' };
    }
    const wanted = q.kind === 'choice' ? 'options' : q.kind;
    if (given.length > 1 || given[0] !== wanted) return { path: at, message: `a ${q.kind} question is answered with \`${wanted}\` only` };
    if (q.kind === 'choice') {
      const picked = a!.options!;
      if (picked.length === 0 && !q.optional) return { path: `${at}.options`, message: 'pick at least one option' };
      if (!q.multiple && picked.length > 1) return { path: `${at}.options`, message: 'pick one option' };
      if (new Set(picked).size !== picked.length) return { path: `${at}.options`, message: 'each option at most once' };
      if (picked.some((o) => !Number.isInteger(o) || o < 0 || o >= q.options.length)) {
        return { path: `${at}.options`, message: `options are indexes 0..${q.options.length - 1}` };
      }
    } else if (q.kind === 'rating') {
      const r = a!.rating!;
      if (!Number.isInteger(r) || r < 1 || r > 5) return { path: `${at}.rating`, message: 'a rating is a whole number 1..5' };
    } else {
      const t = a!.text!;
      if (t.trim() === '' && !q.optional) return { path: `${at}.text`, message: 'the text must not be blank' };
      if (Array.from(t).length > SURVEY_LIMITS.textMax)
        return { path: `${at}.text`, message: `at most ${SURVEY_LIMITS.textMax} characters` };
    }
  }
  return null;
}

/** Counter attribute names of the results item. */
const surveyResultAttrs = {
  respondents: 'respondents',
  answered: (q: number) => `q${q}#n`,
  option: (q: number, o: number) => `q${q}#o${o}`,
  ratingSum: (q: number) => `q${q}#s`,
  histogram: (q: number, r: number) => `q${q}#h${r}`,
};

/** An answered text question: what goes to the results' text list (without who wrote it). */
export interface TextAnswer {
  question: number;
  text: string;
}

/** The counters one (validated) answer ADDs, and its non-blank texts. */
export function answerDelta(
  questions: readonly SurveyQuestion[],
  answers: readonly SurveyAnswer[],
): { delta: Record<string, number>; texts: TextAnswer[] } {
  const delta: Record<string, number> = { [surveyResultAttrs.respondents]: 1 };
  const texts: TextAnswer[] = [];
  for (const [i, q] of questions.entries()) {
    const a = answers[i];
    if (!a) continue;
    if (q.kind === 'choice' && a.options) {
      if (a.options.length === 0) continue;
      delta[surveyResultAttrs.answered(i)] = 1;
      for (const o of a.options) delta[surveyResultAttrs.option(i, o)] = 1;
    } else if (q.kind === 'rating' && a.rating !== undefined) {
      delta[surveyResultAttrs.answered(i)] = 1;
      delta[surveyResultAttrs.ratingSum(i)] = a.rating;
      delta[surveyResultAttrs.histogram(i, a.rating)] = 1;
    } else if (q.kind === 'text' && a.text !== undefined && a.text.trim() !== '') {
      delta[surveyResultAttrs.answered(i)] = 1;
      texts.push({ question: i, text: a.text });
    }
  }
  return { delta, texts };
}

export type QuestionResult =
  | { index: number; kind: 'choice'; prompt: string; answered: number; options: Array<{ option: string; count: number }> }
  | { index: number; kind: 'rating'; prompt: string; answered: number; ratingSum: number; average: number | null; histogram: number[] }
  | { index: number; kind: 'text'; prompt: string; answered: number };

const num = (v: unknown) => (typeof v === 'number' ? v : 0);

/** The results item (or nothing yet) read against the survey's questions. */
export function toSurveyResults(
  questions: readonly SurveyQuestion[],
  item: Record<string, unknown> | null | undefined,
): { respondents: number; questions: QuestionResult[] } {
  const src = item ?? {};
  return {
    respondents: num(src[surveyResultAttrs.respondents]),
    questions: questions.map((q, i): QuestionResult => {
      const answered = num(src[surveyResultAttrs.answered(i)]);
      if (q.kind === 'choice') {
        return {
          index: i,
          kind: 'choice',
          prompt: q.prompt,
          answered,
          options: q.options.map((option, o) => ({ option, count: num(src[surveyResultAttrs.option(i, o)]) })),
        };
      }
      if (q.kind === 'rating') {
        const ratingSum = num(src[surveyResultAttrs.ratingSum(i)]);
        return {
          index: i,
          kind: 'rating',
          prompt: q.prompt,
          answered,
          ratingSum,
          average: answered > 0 ? Math.round((ratingSum / answered) * 10) / 10 : null,
          histogram: [1, 2, 3, 4, 5].map((r) => num(src[surveyResultAttrs.histogram(i, r)])),
        };
      }
      return { index: i, kind: 'text', prompt: q.prompt, answered };
    }),
  };
}

/** Open at `now`: no closing time, or not reached yet. */
export const surveyOpen = (closesAt: string | null, now: Date) => closesAt === null || now.getTime() < Date.parse(closesAt);
