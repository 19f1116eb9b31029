// Business IDs as workflow IDs: a duplicate webhook or a sweeper pass can never start a second workflow.

export const returnWorkflowId = (tenantId: string, loopReturnId: string) =>
  `return/${tenantId}/${loopReturnId}`;

export const sweeperWorkflowId = (tenantId: string) => `sweeper/${tenantId}`;
