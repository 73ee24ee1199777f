import { createHash } from 'node:crypto';
import { mulberry32 } from '../shared/seeded-random.js';

/**
 * How each simulated phone interview ends, decided by the seed and the phone alone: a test that
 * knows both can predict every outcome, and a run that repeats meets the same ones.
 */

/** The values the docs list for `failure_reason` (guides/webhooks.mdx). */
export const FAILURE_REASONS = [
  'voicemail',
  'no_answer',
  'user_hangup',
  'technical_error',
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

/** Share of interviews that fail. */
export const INTERVIEW_FAILURE_RATE = 0.2;

/** How often each reason ends a failed interview; the weights add up to 1. */
const FAILURE_WEIGHTS: readonly [FailureReason, number][] = [
  ['voicemail', 0.4],
  ['no_answer', 0.3],
  ['user_hangup', 0.2],
  ['technical_error', 0.1],
];

export interface InterviewResponse {
  question: string;
  answer: string;
  /** 0–10, whole points. */
  score: number;
  explanation: string;
}

export interface CompletedInterview {
  outcome: 'completed';
  /** 0–10 with one decimal: the mean of the responses' scores. */
  interviewScore: number;
  availability: string;
  /** `YYYY-MM-DD`. */
  availabilityStart: string;
  salaryExpectation: string;
  candidateAlignment: string;
  strengths: string;
  concerns: string;
  responses: InterviewResponse[];
}

export interface FailedInterview {
  outcome: 'failed';
  failureReason: FailureReason;
}

export type InterviewScript = CompletedInterview | FailedInterview;

// The vendor is French and so are its interviews: the texts follow the docs' examples.
const AVAILABILITIES: readonly [string, number][] = [
  ['Disponible immédiatement', 0],
  ['Disponible sous 1 mois', 30],
  ['Préavis de 2 mois', 60],
  ['Préavis de 3 mois', 90],
];
const STRENGTHS = [
  'Communication claire',
  'Expérience sur un poste similaire',
  'Forte motivation',
  'Autonomie',
  'Sens du travail en équipe',
  'Ponctualité et fiabilité',
];
const CONCERNS = [
  "Peu d'expérience en gestion d'équipe",
  'Mobilité limitée',
  'Prétentions au-dessus de la grille',
  'Disponibilité tardive',
  'Aucune réserve notable',
];
const ANSWERS = [
  "J'ai occupé un poste proche pendant plusieurs années.",
  'Je suis disponible rapidement et motivé par ce poste.',
  "C'est un domaine que je connais bien, j'aime le contact client.",
  'Je préfère en discuter plus en détail lors d’un entretien.',
  "Je n'ai pas encore d'expérience directe, mais j'apprends vite.",
];

/** The interview of `phone` (national form, `0612345678`), on the campaign's `questions`. */
export function scriptInterview(
  seed: number,
  phone: string,
  questions: readonly string[],
  today: Date,
): InterviewScript {
  const random = mulberry32(seedOf(seed, phone));
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;

  if (random() < INTERVIEW_FAILURE_RATE) {
    return { outcome: 'failed', failureReason: weighted(random(), FAILURE_WEIGHTS) };
  }

  const asked = questions.length > 0 ? questions : ['Pouvez-vous vous présenter ?'];
  const responses = asked.map((question) => {
    const score = 2 + Math.floor(random() * 9);
    return { question, answer: pick(ANSWERS), score, explanation: explain(score) };
  });
  const mean = responses.reduce((sum, response) => sum + response.score, 0) / responses.length;
  const interviewScore = Math.round(mean * 10) / 10;
  const [availability, inDays] = pick(AVAILABILITIES);
  const firstStrength = pick(STRENGTHS);
  const otherStrength = pick(STRENGTHS.filter((strength) => strength !== firstStrength));

  return {
    outcome: 'completed',
    interviewScore,
    availability,
    availabilityStart: daysAfter(today, inDays),
    salaryExpectation: `${28_000 + 1_000 * Math.floor(random() * 28)} EUR`,
    candidateAlignment: alignment(interviewScore),
    strengths: `${firstStrength}, ${otherStrength}`,
    concerns: pick(CONCERNS),
    responses,
  };
}

/** One 32-bit seed per (seed, phone): a hash, so that neighbouring phones differ entirely. */
function seedOf(seed: number, phone: string): number {
  return createHash('sha256').update(`${seed}:${phone}`).digest().readUInt32LE(0);
}

function weighted<T>(roll: number, weights: readonly [T, number][]): T {
  let upTo = 0;
  for (const [value, weight] of weights) {
    upTo += weight;
    if (roll < upTo) {
      return value;
    }
  }
  return (weights[weights.length - 1] as [T, number])[0];
}

function explain(score: number): string {
  if (score >= 8) {
    return 'Réponse précise et convaincante';
  }
  return score >= 5 ? 'Réponse correcte mais peu détaillée' : 'Réponse vague ou hors sujet';
}

function alignment(score: number): string {
  if (score >= 8) {
    return 'Excellente correspondance';
  }
  if (score >= 6) {
    return 'Bonne correspondance';
  }
  return score >= 4 ? 'Correspondance partielle' : 'Faible correspondance';
}

function daysAfter(today: Date, days: number): string {
  return new Date(today.getTime() + days * 86_400_000).toISOString().slice(0, 10);
}
