import { registerEnumType } from 'type-graphql';
import { AppealKind } from '../../shared/enums';

export { AppealKind };

registerEnumType(AppealKind, {
  name: 'AppealKind',
  description: 'What a merchant contests (申诉); FORCE_MAJEURE_REPORT is a report filed ahead (报备).',
});

export enum AppealStatus {
  SUBMITTED = 'SUBMITTED',
  UNDER_REVIEW = 'UNDER_REVIEW',
  NEEDS_EVIDENCE = 'NEEDS_EVIDENCE',
  UPHELD = 'UPHELD',
  REJECTED = 'REJECTED',
  WITHDRAWN = 'WITHDRAWN',
}
registerEnumType(AppealStatus, { name: 'AppealStatus' });

export enum AppealSubjectType {
  ORDER = 'ORDER',
  AFTER_SALES_CASE = 'AFTER_SALES_CASE',
  SCORE_EVENT = 'SCORE_EVENT',
  MERCHANT_STATUS_CHANGE = 'MERCHANT_STATUS_CHANGE',
}
registerEnumType(AppealSubjectType, { name: 'AppealSubjectType', description: 'What an appeal contests.' });

export enum AppealChannel {
  STANDARD = 'STANDARD',
  GREEN = 'GREEN',
}
registerEnumType(AppealChannel, {
  name: 'AppealChannel',
  description:
    'GREEN (绿色通道): high-repurchase, STRENGTH and SUPER_FACTORY merchants: a shorter review deadline, first in the queue.',
});
