import { Province } from '../../shared/enums';

/**
 * The numbers of ../shared/DOMAIN.md that the modules built so far use. Services read them from the
 * request context (`ctx.policy`), never as literals, so the versioned policy store can replace this
 * object as the source without touching the rules.
 */
export interface PolicyNumbers {
  version: number;
  /** PDD: ship within 48 h of payment; the default ship-by time of an ingested order. */
  shipWithinHours: number;
  /** 电商西进: deliveries here are remote; the platform pays the logistics transfer fee. */
  remoteRegions: Province[];
}

export const DEFAULT_POLICY: Readonly<PolicyNumbers> = Object.freeze({
  version: 1,
  shipWithinHours: 48,
  remoteRegions: [
    Province.XINJIANG,
    Province.TIBET,
    Province.QINGHAI,
    Province.GANSU,
    Province.NINGXIA,
    Province.INNER_MONGOLIA,
  ],
});
