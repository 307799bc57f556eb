import { PmError } from '../errors/errors.js';

/** The passwords people pick first; a longer list would belong in a data file. */
const COMMON = new Set(
  `password password1 password12 password123 passw0rd p@ssw0rd 12345678 123456789 1234567890 11111111 00000000 87654321
  qwerty123 qwertyuiop 1q2w3e4r 1q2w3e4r5t qazwsxedc abc12345 abcd1234 iloveyou sunshine princess football baseball
  welcome1 welcome123 admin123 administrator letmein1 letmein123 trustno1 superman batman123 dragon123 monkey123
  starwars master123 changeme changeme123 whatever computer internet michael1 jennifer1 shadow123 freedom1 qwerty12
  asdfghjk asdf1234 zxcvbnm1 aaaaaaaa 12341234 11223344 123123123 987654321 q1w2e3r4 pagemanager secret123 default1`
    .split(/\s+/)
    .filter(Boolean),
);

export const MIN_PASSWORD_LENGTH = 8;

/** Throws PM_ERR_WEAK_PASSWORD with a message saying what to change. */
export function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new PmError('PM_ERR_WEAK_PASSWORD', { detail: `The password must be at least ${MIN_PASSWORD_LENGTH} characters long.` });
  }
  if (password.length > 1024) throw new PmError('PM_ERR_WEAK_PASSWORD', { detail: 'The password must be at most 1024 characters long.' });
  if (COMMON.has(password.toLowerCase())) {
    throw new PmError('PM_ERR_WEAK_PASSWORD', { detail: 'That password is one of the most common ones; choose another.' });
  }
}
