/** Webhook triggers and the one topic each belongs to (a subscription names both). */
export const loopTriggerTopics = {
  'return.created': 'return',
  'return.updated': 'return',
  'return.closed': 'return',
  'return.processing.failed': 'return.processing',
  'label.created': 'label',
  'label.updated': 'label',
  'label.request.issued': 'label.request',
  'label.request.cancelled': 'label.request',
  'restock.requested': 'restock',
  'giftcard.requested': 'giftcard',
  'shipment.processed': 'happy.returns.shipment',
} as const;

export type LoopWebhookTrigger = keyof typeof loopTriggerTopics;
export type LoopWebhookTopic = (typeof loopTriggerTopics)[LoopWebhookTrigger];

export const returnTriggers = ['return.created', 'return.updated', 'return.closed'] as const;
export type LoopReturnTrigger = (typeof returnTriggers)[number];
