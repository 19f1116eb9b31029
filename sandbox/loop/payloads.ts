import type { SimDestination, SimReturn, SimWebhook } from './records.ts';

export type IdMode = 'number' | 'string';

/** Loop (PHP/Laravel) writes JSON with `json_encode` defaults: `/` escaped, non-ASCII as `\uXXXX`. */
export const phpJson = (value: unknown): string =>
  JSON.stringify(value)
    .replace(/\//g, '\\/')
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** `YYYY-MM-DD HH:MM:SS`, UTC, no zone: how Loop writes timestamps. */
export const loopTimestamp = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

const money = (cents: number) => (cents / 100).toFixed(2);
const cents = (price: string) => Math.round(Number(price) * 100);

/** The full Loop return object, customer PII included, as details, list and webhooks send it. */
export function renderReturn(record: SimReturn, idMode: IdMode): Record<string, unknown> {
  const id = (n: number) => (idMode === 'string' ? String(n) : n);
  const total = money(record.lineItems.reduce((sum, item) => sum + cents(item.price), 0));
  const { customer } = record;
  const fullName = `${customer.firstName} ${customer.lastName}`;
  return {
    id: id(record.id),
    state: record.state,
    created_at: loopTimestamp(record.createdAt),
    updated_at: loopTimestamp(record.updatedAt),
    edited_at: null,
    order_id: id(record.orderId),
    order_name: record.orderName,
    order_number: record.orderName.replace(/^#/, ''),
    provider_order_id: id(record.providerOrderId),
    provider_order_external_id: String(record.providerOrderId),
    customer: customer.email,
    customer_detail: {
      first_name: customer.firstName,
      last_name: customer.lastName,
      email: customer.email,
      phone: customer.phone,
    },
    address: {
      name: fullName,
      company: null,
      address1: customer.address1,
      address2: customer.address2,
      city: customer.city,
      state: customer.province,
      zip: customer.zip,
      country: customer.country,
      country_code: customer.countryCode,
      phone: customer.phone,
    },
    currency: 'USD',
    multi_currency: false,
    outcome: 'refund',
    total,
    return_product_total: total,
    return_discount_total: '0.00',
    return_tax_total: '0.00',
    return_total: total,
    return_credit_total: '0.00',
    exchange_product_total: '0.00',
    exchange_discount_total: '0.00',
    exchange_tax_total: '0.00',
    exchange_total: '0.00',
    exchange_credit_total: '0.00',
    gift_card: '0.00',
    handling_fee: '0.00',
    refund: total,
    upsell: '0.00',
    refunds: [],
    exchanges: [],
    carrier: 'USPS',
    tracking_number: `9400111899223${record.id}`,
    label_status: 'new',
    label_updated_at: loopTimestamp(record.createdAt),
    label_url: `https://labels.loopreturns.com/labels/${record.id}.pdf`,
    status_page_url: `https://returns.example-shop.com/#/return/${record.id}`,
    return_method: 'ship-by-mail',
    destination_id: record.destinationId === null ? null : id(record.destinationId),
    line_items: record.lineItems.map((item) => ({
      line_item_id: id(item.lineItemId),
      provider_line_item_id: id(item.providerLineItemId),
      product_id: id(item.productId),
      variant_id: id(item.variantId),
      sku: item.sku,
      barcode: item.barcode,
      title: item.title,
      price: item.price,
      discount: '0.00',
      tax: '0.00',
      refund: item.price,
      returned_at: loopTimestamp(record.createdAt),
      exchange_variant: '',
      return_reason: item.returnReason,
      parent_return_reason: item.parentReturnReason,
      return_comment: item.returnComment,
      outcome: 'default',
    })),
  };
}

export const renderDestination = (destination: SimDestination, idMode: IdMode) => {
  const id = (n: number) => (idMode === 'string' ? String(n) : n);
  const { address } = destination;
  return {
    id: id(destination.id),
    type: destination.type,
    name: destination.name,
    enabled: destination.enabled,
    provider_location_id: destination.providerLocationId === null ? null : id(destination.providerLocationId),
    address: address && {
      address1: address.address1,
      address2: address.address2,
      city: address.city,
      state: address.state,
      zip: address.zip,
      country: address.country,
      country_code: address.countryCode,
    },
  };
};

export const renderWebhook = (webhook: SimWebhook, idMode: IdMode) => ({
  id: idMode === 'string' ? String(webhook.id) : webhook.id,
  shop_id: idMode === 'string' ? String(webhook.shopId) : webhook.shopId,
  topic: webhook.topic,
  trigger: webhook.trigger,
  url: webhook.url,
  status: webhook.status,
});
