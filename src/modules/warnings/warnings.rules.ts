/** Why an order is abnormal, or nothing: the buyer's tag, risk level and refund-only breaker. */
export function abnormalReasons(buyer: {
  malicious: boolean;
  riskLevel: string;
  breakerTripped: boolean;
  breakerRateBp: number;
}): string[] {
  const reasons: string[] = [];
  if (buyer.malicious) reasons.push('the buyer is tagged MALICIOUS');
  if (buyer.riskLevel === 'HIGH') reasons.push('the buyer’s risk level is HIGH');
  if (buyer.breakerTripped) {
    reasons.push(`the buyer’s refund-only rate is ${(buyer.breakerRateBp / 100).toFixed(2)}%, above its breaker`);
  }
  return reasons;
}
