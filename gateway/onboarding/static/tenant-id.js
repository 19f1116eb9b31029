// @ts-check
// The store ID suggested from the store name, in one file both sides load: the server fills in a blank ID
// with it, and the browser (onboarding.js) follows the name as it is typed. Plain, import-free JavaScript,
// because it is served to the browser as it is.

/**
 * A tenant ID suggested from the display name: "Acme Outdoor Co." → "acme-outdoor-co".
 * @param {string} displayName
 * @returns {string}
 */
export function suggestTenantId(displayName) {
  return displayName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 63)
    .replace(/^-+|-+$/g, '');
}
