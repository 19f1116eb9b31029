/** Loop API key scopes as merchants see them in Loop Admin → Developer Tools. */
export const loopScopes = {
  returns: 'Returns',
  developerTools: 'Developer Tools',
  destinationsRead: 'Destinations (Read)',
} as const;

export type LoopScope = (typeof loopScopes)[keyof typeof loopScopes];

/** Loop answers a bad key and a key missing a scope alike (401), so the message covers both. */
export const loopAuthMessage = (
  scope: LoopScope,
  status: number | undefined,
  apiMessage: string | undefined,
) =>
  `Loop refused the API key (HTTP ${status ?? 401}${apiMessage ? `: ${apiMessage}` : ''}). ` +
  `Check in Loop Admin → Developer Tools that the key is still active and has the "${scope}" scope ` +
  `(this integration needs Returns, Developer Tools and Destinations (Read)).`;
