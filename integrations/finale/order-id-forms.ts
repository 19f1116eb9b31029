/**
 * How a Shopify order may be keyed in Finale is not documented: the sync might store the order name
 * (`#1001`), the bare number (`1001`) or always the hashed form. Each tenant configures which to try.
 */
export const orderIdForms = ['name', 'number', 'hash-number'] as const;

export type OrderIdForm = (typeof orderIdForms)[number];

function orderIdInForm(orderName: string, form: OrderIdForm): string {
  const name = orderName.trim();
  const number = name.replace(/^#/, '');
  switch (form) {
    case 'name':
      return name;
    case 'number':
      return number;
    case 'hash-number':
      return `#${number}`;
  }
}

/** The order IDs to try, in the configured order, without repeats (`#1001` as name and hash-number is one try). */
export function orderIdCandidates(orderName: string, forms: readonly OrderIdForm[]): string[] {
  if (orderName.trim().replace(/^#/, '') === '') return [];
  return [...new Set(forms.map((form) => orderIdInForm(orderName, form)))];
}
