/**
 * What a poll may be (Mastodon's defaults, advertised in `/api/v2/instance` `configuration.polls`)
 * and the check of a new poll, pure so that posting and scheduling apply the same rules.
 */
import { countCharacters, isFarBeyondLimit, normalizeStatusText } from '@murmur/text';
import { DomainError } from '../../errors.js';

export const POLL_LIMITS = Object.freeze({
  maxOptions: 4,
  maxCharactersPerOption: 50,
  /** Seconds: five minutes. */
  minExpiration: 300,
  /** Seconds: a month, as Mastodon (2,629,746 s, a twelfth of the Gregorian year). */
  maxExpiration: 2_629_746,
});

/** A poll as a client asks for it. */
export interface PollInput {
  options: readonly string[];
  /** Seconds from posting until the poll ends. */
  expiresIn: number;
  multiple?: boolean;
  hideTotals?: boolean;
}

/** A poll that passed the rules: trimmed options, and how long it runs. */
export interface ValidPoll {
  options: string[];
  expiresInSeconds: number;
  multiple: boolean;
  hideTotals: boolean;
}

function refused(message: string): DomainError {
  return new DomainError('InvalidField', `Validation failed: ${message}`, 'poll');
}

/** Checks a new poll: 2 to 4 distinct, non-blank options of at most 50 characters, 5 min to 1 month. */
export function validatePoll(input: PollInput): ValidPoll {
  const { maxOptions, maxCharactersPerOption, minExpiration, maxExpiration } = POLL_LIMITS;
  if (input.options.length < 2) throw refused('Poll must have at least 2 options');
  if (input.options.length > maxOptions) {
    throw refused(`Poll can have at most ${maxOptions} options`);
  }
  const options = input.options.map((option) => {
    // Bounded before any work on it: an option of megabytes is refused by its length alone.
    if (isFarBeyondLimit(option, maxCharactersPerOption)) {
      throw refused(`Poll options can be at most ${maxCharactersPerOption} characters long`);
    }
    const text = normalizeStatusText(option).trim();
    if (text.length === 0) throw refused("Poll options can't be blank");
    if (countCharacters(text) > maxCharactersPerOption) {
      throw refused(`Poll options can be at most ${maxCharactersPerOption} characters long`);
    }
    return text;
  });
  if (new Set(options).size !== options.length) throw refused('Poll options must be different');
  const expiresIn = input.expiresIn;
  if (!Number.isInteger(expiresIn) || expiresIn < minExpiration) {
    throw refused(`Poll must last at least ${minExpiration / 60} minutes`);
  }
  if (expiresIn > maxExpiration) throw refused('Poll can last at most a month');
  return {
    options,
    expiresInSeconds: expiresIn,
    multiple: input.multiple ?? false,
    hideTotals: input.hideTotals ?? false,
  };
}
