import { registerEnumType } from 'type-graphql';

export enum WarningKind {
  LOW_PRICE = 'LOW_PRICE',
  ABNORMAL_ORDER = 'ABNORMAL_ORDER',
}
registerEnumType(WarningKind, {
  name: 'WarningKind',
  description:
    'LOW_PRICE: 低价风险预警, a new price far below the product’s own history, held until confirmed. ' +
    'ABNORMAL_ORDER: 异常订单预警, an order from a flagged or high-risk buyer, shown before shipping.',
});

export enum WarningStatus {
  OPEN = 'OPEN',
  ACKNOWLEDGED = 'ACKNOWLEDGED',
}
registerEnumType(WarningStatus, { name: 'WarningStatus' });
