/**
 * Whether a new password is good enough, with advice worded for the field it is typed in.
 * The estimate is zxcvbn's (@zxcvbn-ts/core with the common-password and keyboard-pattern data
 * of @zxcvbn-ts/language-common): it refuses what attackers actually try first (leaked lists,
 * keyboard walks, dates, l33t variants of common words), not only a fixed list (OWASP ASVS 2.1.7).
 */
import type { ZxcvbnFactory, ZxcvbnResult } from '@zxcvbn-ts/core';
import { PmError } from '../errors/errors.js';
import { requireZxcvbn } from './lazy-zxcvbn.js';

export const MIN_PASSWORD_LENGTH = 8;
/** zxcvbn's scale is 0–4; 3 is "safely unguessable: moderate protection from an offline slow-hash attack". */
export const MIN_PASSWORD_SCORE = 3;
/** zxcvbn's work grows with length; past this many characters the rest adds strength it need not measure. */
const CHECKED_LENGTH = 100;

const WARNINGS: Record<string, string> = {
  straightRow: 'Straight rows of keys on your keyboard are easy to guess.',
  keyPattern: 'Short keyboard patterns are easy to guess.',
  simpleRepeat: 'Repeated characters like "aaa" are easy to guess.',
  extendedRepeat: 'Repeated patterns like "abcabcabc" are easy to guess.',
  sequences: 'Common sequences like "abc" or "123" are easy to guess.',
  recentYears: 'Recent years are easy to guess.',
  dates: 'Dates are easy to guess.',
  topTen: 'This is one of the ten most used passwords.',
  topHundred: 'This is one of the hundred most used passwords.',
  common: 'This is a commonly used password.',
  similarToCommon: 'This is very like a commonly used password.',
  wordByItself: 'A single word is easy to guess.',
  namesByThemselves: 'Names or surnames on their own are easy to guess.',
  commonNames: 'Common names and surnames are easy to guess.',
  userInputs: 'It should not contain your name or username.',
  pwned: 'This password has appeared in a data breach.',
};

const SUGGESTIONS: Record<string, string> = {
  l33t: 'Avoid predictable letter swaps like "@" for "a".',
  reverseWords: 'Avoid common words spelled backwards.',
  allUppercase: 'Capitalise some letters, not all.',
  capitalization: 'Capitalise more than the first letter.',
  dates: 'Avoid dates and years tied to you.',
  recentYears: 'Avoid recent years.',
  associatedYears: 'Avoid years tied to you.',
  sequences: 'Avoid common character sequences.',
  repeated: 'Avoid repeated words and characters.',
  longerKeyboardPattern: 'Use longer keyboard patterns, changing direction several times.',
  anotherWord: 'Add more words that are less common.',
  useWords: 'Use several words, but avoid common phrases.',
  noNeed: 'You can make a strong password without symbols, numbers or capitals.',
  pwned: 'If you use this password elsewhere, change it there too.',
};

let estimator: ZxcvbnFactory | undefined;
/** Built on first use (lazy-zxcvbn.ts): the dictionaries cost start time and memory a server serving pages does not need. */
function zxcvbn(): ZxcvbnFactory {
  if (estimator) return estimator;
  const { ZxcvbnFactory, dictionary, adjacencyGraphs } = requireZxcvbn();
  return (estimator = new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs }));
}

/** The estimate and its advice in plain English; `userInputs` (username, name, site) count as guessable. */
export function passwordStrength(password: string, userInputs: readonly string[] = []): { score: number; advice: string } {
  const r: ZxcvbnResult = zxcvbn().check(password.slice(0, CHECKED_LENGTH), userInputs.filter(Boolean).map((s) => s.toLowerCase()));
  const parts = [r.feedback.warning ? WARNINGS[r.feedback.warning] : undefined, ...r.feedback.suggestions.map((s) => SUGGESTIONS[s])].filter(Boolean);
  return { score: r.score, advice: parts.join(' ') };
}

/** Throws PM_ERR_WEAK_PASSWORD with a message saying what to change. */
export function checkPassword(password: string, userInputs: readonly string[] = []): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new PmError('PM_ERR_WEAK_PASSWORD', { detail: `The password must be at least ${MIN_PASSWORD_LENGTH} characters long.` });
  }
  if (password.length > 1024) throw new PmError('PM_ERR_WEAK_PASSWORD', { detail: 'The password must be at most 1024 characters long.' });
  const { score, advice } = passwordStrength(password, userInputs);
  if (score < MIN_PASSWORD_SCORE) {
    throw new PmError('PM_ERR_WEAK_PASSWORD', { detail: `This password is too easy to guess. ${advice || 'Add more words that are less common.'}` });
  }
}
