import { AuthenticationError, isApiError, RetryableApiError } from '../../integrations/errors.ts';
import { FinaleClient } from '../../integrations/finale/client.ts';
import { matchLocation } from '../../integrations/finale/locations.ts';
import type { Facility } from '../../integrations/finale/types.ts';
import type { FieldErrors } from './form.ts';

export interface FinaleCheckInput {
  baseUrl: string;
  accountName: string;
  apiKey: string;
  apiSecret: string;
  /** Empty when the merchant has not typed one yet: only the credentials are checked. */
  facilityName: string;
}

export interface FinaleCheck {
  errors: FieldErrors;
  formErrors: string[];
  /** Active location names, once Finale accepted the credentials. */
  locations?: string[];
  /** The exact name of a location the typed name matches except for case or spacing. */
  facilitySuggestion?: string;
}

/** A merchant waits on this page: give up long before the client's default. */
const TIMEOUT_MS = 10_000;

const quoted = (name: string) => `“${name}”`;
const list = (names: string[]) => names.map(quoted).join(', ');

function facilityProblem(
  facilities: Facility[],
  name: string,
): Omit<FinaleCheck, 'formErrors' | 'locations'> {
  const match = matchLocation(facilities, name);
  if (match.found) return { errors: {} };
  const [suggestion] = match.nearMatches;
  if (suggestion !== undefined) {
    return {
      facilitySuggestion: suggestion,
      errors: {
        destinationFacilityName:
          `Did you mean ${quoted(suggestion)}? That is how the location is written in Finale, and the name ` +
          'must match exactly, including capital letters and spaces.',
      },
    };
  }
  const exact = facilities.find((facility) => facility.facilityName === name);
  const choose = match.locations.length > 0 ? ` Choose one of: ${list(match.locations)}.` : '';
  if (exact?.kind === 'sublocation') {
    const parent = facilities.find((facility) => facility.facilityUrl === exact.parentFacilityUrl);
    return {
      errors: {
        destinationFacilityName:
          `${quoted(name)} is a sublocation (a bin or shelf${parent ? ` inside ${quoted(parent.facilityName)}` : ''}) ` +
          `in Finale. Returns must be sent to a location, not a sublocation.${choose}`,
      },
    };
  }
  if (exact && !exact.active) {
    return {
      errors: {
        destinationFacilityName: `${quoted(name)} is inactive in Finale. Reactivate it in Finale, or pick an active location.${choose}`,
      },
    };
  }
  return {
    errors: {
      destinationFacilityName:
        match.locations.length > 0
          ? `Finale has no location called ${quoted(name)}.${choose}`
          : 'Your Finale account has no active locations yet. Add one in Finale under Settings → Facilities, then try again.',
    },
  };
}

/**
 * Checks the credentials and the account name, and the facility against the account's locations. One
 * collection read does it all: a wrong key or secret answers 401, a wrong account 404 (that is what
 * `checkCredentials` reads too), and Finale budgets collection reads per hour.
 */
export async function checkFinale(input: FinaleCheckInput): Promise<FinaleCheck> {
  const client = new FinaleClient({
    accountName: input.accountName,
    apiKey: input.apiKey,
    apiSecret: input.apiSecret,
    baseUrl: input.baseUrl,
    timeoutMs: TIMEOUT_MS,
  });
  let facilities: Facility[];
  try {
    facilities = await client.listFacilities();
  } catch (error) {
    if (error instanceof AuthenticationError && error.status === 404) {
      return {
        formErrors: [],
        errors: {
          finaleAccountName:
            `Finale has no account called ${quoted(input.accountName)}. Use the part of your Finale web address ` +
            'right after app.finaleinventory.com/, e.g. “mystore” for https://app.finaleinventory.com/mystore/.',
        },
      };
    }
    if (error instanceof AuthenticationError) {
      return {
        formErrors: [],
        errors: {
          finaleApiKey: 'Finale did not accept this API key together with the secret below.',
          finaleApiSecret:
            'Finale rejected this API key and secret. Copy both again from Finale → Settings → API; if the ' +
            'secret is lost, create a new key there.',
        },
      };
    }
    if (!isApiError(error)) throw error;
    return {
      errors: {},
      formErrors: [
        error instanceof RetryableApiError
          ? 'We could not reach Finale just now, so your Finale settings could not be checked. Please try again in a minute.'
          : 'Finale gave an answer we did not expect, so your Finale settings could not be checked. Please try ' +
            'again; if it keeps happening, email support@loopreturns.com.',
      ],
    };
  }
  const locations = facilities
    .filter((facility) => facility.kind === 'location' && facility.active)
    .map((facility) => facility.facilityName);
  if (input.facilityName === '') return { errors: {}, formErrors: [], locations };
  return { ...facilityProblem(facilities, input.facilityName), formErrors: [], locations };
}
