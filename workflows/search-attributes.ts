import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes operators filter on in the Web UI; registered on every server we start. */
export const searchAttributes = {
  tenant: defineSearchAttributeKey('LoopFinaleTenant', SearchAttributeType.KEYWORD),
  loopReturnId: defineSearchAttributeKey('LoopReturnId', SearchAttributeType.KEYWORD),
  orderName: defineSearchAttributeKey('LoopOrderName', SearchAttributeType.KEYWORD),
  finaleReturnId: defineSearchAttributeKey('FinaleReturnId', SearchAttributeType.KEYWORD),
  stage: defineSearchAttributeKey('ReturnStage', SearchAttributeType.KEYWORD),
  /** The code of the issue a return is parked on (e.g. `FacilityNotFound`); set when it parks or recovers. */
  issueCode: defineSearchAttributeKey('ReturnIssueCode', SearchAttributeType.KEYWORD),
  /** The class (waiting, config, data) of the issue a return last parked on; read with ReturnStage. */
  issueClass: defineSearchAttributeKey('ReturnIssueClass', SearchAttributeType.KEYWORD),
};

export const allSearchAttributeKeys = Object.values(searchAttributes);
