import { BuyerFlag } from '../../shared/enums';

export function flagsOf(buyer: { superBuyer: boolean; malicious: boolean }): BuyerFlag[] {
  return [...(buyer.superBuyer ? [BuyerFlag.SUPER_BUYER] : []), ...(buyer.malicious ? [BuyerFlag.MALICIOUS] : [])];
}

export function flagColumns(flags: readonly BuyerFlag[]): { superBuyer: boolean; malicious: boolean } {
  return { superBuyer: flags.includes(BuyerFlag.SUPER_BUYER), malicious: flags.includes(BuyerFlag.MALICIOUS) };
}
