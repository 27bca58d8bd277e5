/**
 * Domain enums shared by entities, rules and the GraphQL schema. They live apart from both so that
 * pure rules can import them without pulling in MikroORM or type-graphql.
 */

export enum MerchantTier {
  STANDARD = 'STANDARD',
  SMALL = 'SMALL',
  NEW_QUALITY = 'NEW_QUALITY',
  STRENGTH = 'STRENGTH',
  SUPER_FACTORY = 'SUPER_FACTORY',
}

export enum MerchantStatus {
  ACTIVE = 'ACTIVE',
  WARNED = 'WARNED',
  RESTRICTED = 'RESTRICTED',
  CLEARED = 'CLEARED',
}

export enum BuyerFlag {
  SUPER_BUYER = 'SUPER_BUYER',
  MALICIOUS = 'MALICIOUS',
}

export enum OrderStatus {
  PAID = 'PAID',
  SHIPPED = 'SHIPPED',
  DELIVERED = 'DELIVERED',
  COMPLETED = 'COMPLETED',
  CANCELLED = 'CANCELLED',
  REFUNDED = 'REFUNDED',
  /** Voided by the merchant for a price set by mistake (价格设错), before completion. */
  VOIDED = 'VOIDED',
}

/** The platform an order was placed on; external order numbers are unique per platform. */
export enum SalesPlatform {
  PINDUODUO = 'PINDUODUO',
  DOUYIN = 'DOUYIN',
  ALIBABA_1688 = 'ALIBABA_1688',
  TAOBAO = 'TAOBAO',
  TMALL = 'TMALL',
}

/** Provincial-level divisions of mainland China (GB/T 2260), used for merchant and delivery regions. */
export enum Province {
  BEIJING = 'BEIJING',
  TIANJIN = 'TIANJIN',
  HEBEI = 'HEBEI',
  SHANXI = 'SHANXI',
  INNER_MONGOLIA = 'INNER_MONGOLIA',
  LIAONING = 'LIAONING',
  JILIN = 'JILIN',
  HEILONGJIANG = 'HEILONGJIANG',
  SHANGHAI = 'SHANGHAI',
  JIANGSU = 'JIANGSU',
  ZHEJIANG = 'ZHEJIANG',
  ANHUI = 'ANHUI',
  FUJIAN = 'FUJIAN',
  JIANGXI = 'JIANGXI',
  SHANDONG = 'SHANDONG',
  HENAN = 'HENAN',
  HUBEI = 'HUBEI',
  HUNAN = 'HUNAN',
  GUANGDONG = 'GUANGDONG',
  GUANGXI = 'GUANGXI',
  HAINAN = 'HAINAN',
  CHONGQING = 'CHONGQING',
  SICHUAN = 'SICHUAN',
  GUIZHOU = 'GUIZHOU',
  YUNNAN = 'YUNNAN',
  TIBET = 'TIBET',
  SHAANXI = 'SHAANXI',
  GANSU = 'GANSU',
  QINGHAI = 'QINGHAI',
  NINGXIA = 'NINGXIA',
  XINJIANG = 'XINJIANG',
  HONG_KONG = 'HONG_KONG',
  MACAU = 'MACAU',
  TAIWAN = 'TAIWAN',
}

/** Why a buyer opened an after-sales case; the policy names the key evidence each needs. */
export enum CaseReason {
  QUALITY = 'QUALITY',
  MINOR_DEFECT = 'MINOR_DEFECT',
  NOT_AS_DESCRIBED = 'NOT_AS_DESCRIBED',
  DAMAGED = 'DAMAGED',
  WRONG_ITEM = 'WRONG_ITEM',
  LOGISTICS = 'LOGISTICS',
  CHANGED_MIND = 'CHANGED_MIND',
  NOT_RECEIVED = 'NOT_RECEIVED',
}

export enum EvidenceKind {
  PHOTO = 'PHOTO',
  VIDEO = 'VIDEO',
  DESCRIPTION = 'DESCRIPTION',
  LOGISTICS_RECORD = 'LOGISTICS_RECORD',
  CHAT_LOG = 'CHAT_LOG',
}

/** What a merchant contests in an appeal; the policy names the evidence each kind needs. */
export enum AppealKind {
  ABNORMAL_ORDER = 'ABNORMAL_ORDER',
  MALICIOUS_COMPLAINT = 'MALICIOUS_COMPLAINT',
  NEGATIVE_EXPERIENCE = 'NEGATIVE_EXPERIENCE',
  AFTER_SALES_RULING = 'AFTER_SALES_RULING',
  SCORE_DEDUCTION = 'SCORE_DEDUCTION',
  PENALTY = 'PENALTY',
  FORCE_MAJEURE_REPORT = 'FORCE_MAJEURE_REPORT',
}
