/**
 * The extraction scorer's rules (../shared/tools/score-extraction.mjs), for tests that must not depend on a file
 * outside the repository: items are matched greedily on task words (≥ half of the gold words), an owner that is an
 * address must be exact and a name must contain the gold first name, a due date must be equal (or one of the
 * acceptable ones). strict-F1 counts an item only when its task, owner and due date are all right.
 */
export interface GoldCase {
  meetingDate: string;
  attendees: string[];
  items: { owner: string | null; due: string | string[] | null; text: string }[];
}

export interface PredictedCase {
  meeting: { date: string; attendees: string[] };
  items: { owner: string | null; ownerName?: string | null; due: string | null; text: string }[];
}

export interface CaseScore {
  name: string;
  gold: number;
  predicted: number;
  matched: number;
  owner: number;
  due: number;
  strict: number;
  dateOk: boolean;
  attendeesOk: boolean;
  /** What went wrong, as the scorer's verbose mode says it. */
  notes: string[];
}

const STOP = new Set(
  `the a an and or of to for with on in at by from into up out over about our their his her its this that these those
  be is are was were will would should can could may might must shall do does did done have has had get got send sent
  make sure next before after all any each both via per as it we you they i me my your them us him she he who what
  when where why how not no yes than then so if but also just only new`.split(/\s+/),
);

function stem(word: string): string {
  for (const suffix of ['ing', 'ed', 'es', 's']) {
    if (word.length > suffix.length + 3 && word.endsWith(suffix)) return word.slice(0, -suffix.length);
  }
  return word;
}

function tokens(text: string | null | undefined): Set<string> {
  return new Set(
    String(text ?? '')
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .split(/[^a-z0-9]+/)
      .filter((w) => w.length >= 3 && !STOP.has(w))
      .map(stem),
  );
}

function textScore(gold: string, predicted: string): number {
  const g = tokens(gold);
  const p = tokens(predicted);
  if (g.size === 0) return 0;
  let hit = 0;
  for (const word of g) if (p.has(word)) hit++;
  return hit / g.size;
}

const norm = (s: string | null | undefined) => (s == null ? null : String(s).trim().toLowerCase());

function ownerOk(gold: string | null, predicted: PredictedCase['items'][number]): boolean {
  const g = norm(gold);
  const p = norm(predicted.owner);
  if (g === null) return p === null || p === '';
  if (p === null) return false;
  if (g.includes('@')) return p === g;
  const first = g.split(/\s+/)[0] ?? g;
  return p.includes(first) || (norm(predicted.ownerName ?? '') ?? '').includes(first);
}

function dueOk(gold: string | string[] | null, predicted: string | null): boolean {
  return Array.isArray(gold) ? gold.includes(predicted ?? '') : (gold ?? null) === predicted;
}

export function scoreCase(name: string, gold: GoldCase, predicted: PredictedCase): CaseScore {
  const pairs: { gi: number; pi: number; s: number }[] = [];
  gold.items.forEach((g, gi) => {
    predicted.items.forEach((p, pi) => {
      const s = textScore(g.text, p.text);
      if (s >= 0.5) pairs.push({ gi, pi, s });
    });
  });
  pairs.sort((a, b) => b.s - a.s);
  const goldUsed = new Set<number>();
  const predictedUsed = new Set<number>();
  const score: CaseScore = {
    name,
    gold: gold.items.length,
    predicted: predicted.items.length,
    matched: 0,
    owner: 0,
    due: 0,
    strict: 0,
    dateOk: predicted.meeting.date === gold.meetingDate,
    attendeesOk: false,
    notes: [],
  };
  for (const { gi, pi } of pairs) {
    if (goldUsed.has(gi) || predictedUsed.has(pi)) continue;
    goldUsed.add(gi);
    predictedUsed.add(pi);
    const g = gold.items[gi];
    const p = predicted.items[pi];
    if (!g || !p) continue;
    score.matched++;
    const owner = ownerOk(g.owner, p);
    const due = dueOk(g.due, p.due);
    score.owner += Number(owner);
    score.due += Number(due);
    score.strict += Number(owner && due);
    if (!owner) score.notes.push(`owner ${p.owner} want ${g.owner} for "${g.text}"`);
    if (!due) score.notes.push(`due ${p.due} want ${JSON.stringify(g.due)} for "${g.text}"`);
  }
  gold.items.forEach((g, gi) => {
    if (!goldUsed.has(gi)) score.notes.push(`missed "${g.text}"`);
  });
  predicted.items.forEach((p, pi) => {
    if (!predictedUsed.has(pi)) score.notes.push(`extra "${p.text}"`);
  });
  const attendees = new Set(predicted.meeting.attendees.map((a) => norm(a)));
  score.attendeesOk = gold.attendees.length === attendees.size && gold.attendees.every((a) => attendees.has(norm(a)));
  return score;
}

export interface CorpusScore {
  cases: number;
  precision: number;
  recall: number;
  ownerAccuracy: number;
  dueAccuracy: number;
  strictF1: number;
  meetingDates: number;
  attendees: number;
}

export function scoreCorpus(cases: CaseScore[]): CorpusScore {
  const sum = (pick: (c: CaseScore) => number) => cases.reduce((total, c) => total + pick(c), 0);
  const [gold, predicted, matched] = [sum((c) => c.gold), sum((c) => c.predicted), sum((c) => c.matched)];
  const f1 = (tp: number) => (predicted + gold === 0 ? 1 : (2 * tp) / (predicted + gold));
  return {
    cases: cases.length,
    precision: predicted === 0 ? 0 : matched / predicted,
    recall: gold === 0 ? 0 : matched / gold,
    ownerAccuracy: matched === 0 ? 0 : sum((c) => c.owner) / matched,
    dueAccuracy: matched === 0 ? 0 : sum((c) => c.due) / matched,
    strictF1: f1(sum((c) => c.strict)),
    meetingDates: sum((c) => Number(c.dateOk)),
    attendees: sum((c) => Number(c.attendeesOk)),
  };
}
