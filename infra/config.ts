import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CODE_ENVS, type CodeEnv, PAGE_PATH, parseSubscribeTemplates } from '../shared/domain/index.js';

/** Deployment stages. `prod` keeps data and logs; `dev` is cheap to create and to tear down. */
export const STAGES = ['dev', 'prod'] as const;
export type StageName = (typeof STAGES)[number];

export interface CustomDomainConfig {
  /** e.g. `api.example.com`. */
  readonly domainName: string;
  /** ACM certificate for `domainName`, in the stack's region (regional endpoint). */
  readonly certificateArn: string;
}

/** WeChat Pay v3 (prepaid campaigns); see WECHATPAY_NOTIFY_PATH for what the URL must point at. */
export interface WechatPayStageConfig {
  /** Absolute https URL of this API's `POST /payments/wechat/notify` (WECHATPAY_NOTIFY_URL). */
  readonly notifyUrl: string;
}

/** The app's notification route (functions/routes/wechatpay-notify.ts). */
export const WECHATPAY_NOTIFY_PATH = '/payments/wechat/notify';

export interface StageConfig {
  readonly stage: StageName;
  readonly isProduction: boolean;
  /** What happens to the table, the secret and the log groups when the stack is deleted. */
  readonly removalPolicy: RemovalPolicy;
  readonly deletionProtection: boolean;
  readonly logRetention: RetentionDays;
  /** HTTP API `$default` stage throttling (account-level limits still apply on top). */
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  /** Origins allowed by CORS; `['*']` allows any origin (no credentials: tokens travel as bearer headers). */
  readonly corsOrigins: readonly string[];
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  readonly apiMemoryMiB: number;
  readonly apiTimeout: Duration;
  /** How often the deadline sweep runs. */
  readonly sweepInterval: Duration;
  readonly alarmEmail?: string;
  readonly domain?: CustomDomainConfig;
  /** WeChat mini-program AppID: enables POST /auth/wechat (the AppSecret goes into a secret) */
  readonly wechatAppId?: string;
  /** Subscribe-message templates (WECHAT_SUBSCRIBE_TEMPLATES JSON, -c wechatSubscribeTemplates='{…}'), checked at synth; needs wechatAppId. */
  readonly wechatSubscribeTemplates?: string;
  /** 小程序码 page and build (-c wechatCodePage=pages/campaign/index -c wechatCodeEnv=release); needs wechatAppId. */
  readonly wechatCode?: { readonly page?: string; readonly env?: CodeEnv };
  /**
   * -c wechatHoldReminderMinutes / -c wechatDigestIntervalMinutes: the sweep's WECHAT_HOLD_REMINDER_MINUTES
   * and WECHAT_DIGEST_INTERVAL_MINUTES (absent: the functions' defaults, 5 and 60); only with templates.
   */
  readonly messageMinutes?: { readonly holdReminder?: number; readonly digestInterval?: number };
  /** WeChat Pay v3 (-c wechatPay=true): merchant keys in a secret, notifications to `notifyUrl`. Absent: payments off. */
  readonly wechatPay?: WechatPayStageConfig;
  /** CloudFront + AWS WAF in front of the API (-c edge=true): per-client rate limits. Absent: API Gateway throttling only. */
  readonly edge?: EdgeStageConfig;
}

export interface EdgeStageConfig {
  /** requests one client IP may make in 5 minutes (WAF rate-based rule) */
  readonly requestsPerFiveMinutes: number;
  /** of those, POST /campaigns and logins */
  readonly writesPerFiveMinutes: number;
}

/** A member refreshing a busy list every few seconds stays far below this; a scraper does not. */
export const DEFAULT_EDGE_RATE = { requestsPerFiveMinutes: 2000, writesPerFiveMinutes: 100 } as const;

/** Optional overrides, usually from `cdk -c key=value`. */
export interface StageOverrides {
  readonly corsOrigins?: readonly string[];
  readonly alarmEmail?: string;
  readonly domain?: CustomDomainConfig;
  readonly logLevel?: StageConfig['logLevel'];
  readonly wechatAppId?: string;
  readonly wechatSubscribeTemplates?: string;
  readonly wechatCodePage?: string;
  readonly wechatCodeEnv?: string;
  readonly wechatHoldReminderMinutes?: number;
  readonly wechatDigestIntervalMinutes?: number;
  /** Turn WeChat Pay on (`-c wechatPay=true`). */
  readonly wechatPay?: boolean;
  /** `-c wechatPayNotifyUrl=https://…`; default `https://<domainName>/payments/wechat/notify`. */
  readonly wechatPayNotifyUrl?: string;
  /** `-c edge=true` [+ `-c edgeRateLimit=<requests per IP per 5 minutes>`] */
  readonly edge?: boolean;
  readonly edgeRateLimit?: number;
}

export function isStageName(value: unknown): value is StageName {
  return typeof value === 'string' && (STAGES as readonly string[]).includes(value);
}

const BASE: Record<StageName, Omit<StageConfig, 'alarmEmail' | 'domain' | 'wechatAppId' | 'wechatPay'>> = {
  dev: {
    stage: 'dev',
    isProduction: false,
    removalPolicy: RemovalPolicy.DESTROY,
    deletionProtection: false,
    logRetention: RetentionDays.ONE_WEEK,
    throttle: { rateLimit: 50, burstLimit: 100 },
    corsOrigins: ['*'],
    logLevel: 'debug',
    apiMemoryMiB: 1024,
    apiTimeout: Duration.seconds(10),
    sweepInterval: Duration.minutes(1),
  },
  prod: {
    stage: 'prod',
    isProduction: true,
    removalPolicy: RemovalPolicy.RETAIN,
    deletionProtection: true,
    logRetention: RetentionDays.THREE_MONTHS,
    throttle: { rateLimit: 500, burstLimit: 1000 },
    corsOrigins: ['*'],
    logLevel: 'info',
    apiMemoryMiB: 1024,
    apiTimeout: Duration.seconds(10),
    sweepInterval: Duration.minutes(1),
  },
};

export function stageConfig(stage: StageName, overrides: StageOverrides = {}): StageConfig {
  const base = BASE[stage];
  return {
    ...base,
    corsOrigins: overrides.corsOrigins && overrides.corsOrigins.length > 0 ? [...overrides.corsOrigins] : base.corsOrigins,
    logLevel: overrides.logLevel ?? base.logLevel,
    ...(overrides.alarmEmail ? { alarmEmail: overrides.alarmEmail } : {}),
    ...(overrides.domain ? { domain: overrides.domain } : {}),
    ...(overrides.wechatAppId ? { wechatAppId: overrides.wechatAppId } : {}),
    ...(overrides.wechatSubscribeTemplates ? { wechatSubscribeTemplates: subscribeTemplates(overrides) } : {}),
    ...(overrides.wechatCodePage || overrides.wechatCodeEnv ? { wechatCode: wechatCode(overrides) } : {}),
    ...messageMinutes(overrides),
    ...(overrides.wechatPay ? { wechatPay: { notifyUrl: wechatPayNotifyUrl(overrides) } } : {}),
    ...(overrides.edge ? { edge: edgeConfig(overrides) } : {}),
  };
}

function edgeConfig(overrides: StageOverrides): EdgeStageConfig {
  if (overrides.domain)
    throw new Error(
      '-c edge=true with a custom domain is not supported yet: the domain would still point at API Gateway, around the WAF. ' +
        'Use one or the other (the edge address is the ApiUrl output).',
    );
  const limit = overrides.edgeRateLimit ?? DEFAULT_EDGE_RATE.requestsPerFiveMinutes;
  if (!Number.isInteger(limit) || limit < 100 || limit > 2_000_000_000)
    throw new Error(`context "edgeRateLimit" must be a whole number of requests per 5 minutes, 100 or more, got ${limit}`);
  return { requestsPerFiveMinutes: limit, writesPerFiveMinutes: Math.max(10, Math.min(DEFAULT_EDGE_RATE.writesPerFiveMinutes, limit)) };
}

/**
 * Where WeChat Pay sends notifications: `wechatPayNotifyUrl` if given, else the custom domain's
 * `/payments/wechat/notify`. The execute-api URL cannot be derived: the API function's environment
 * would then depend on the HTTP API, which depends on the function (a circular reference).
 */
function wechatPayNotifyUrl(overrides: StageOverrides): string {
  const explicit = overrides.wechatPayNotifyUrl?.trim();
  if (!explicit) {
    if (overrides.domain) return `https://${overrides.domain.domainName}${WECHATPAY_NOTIFY_PATH}`;
    throw new Error(
      '-c wechatPay=true needs the URL WeChat Pay sends payment notifications to: pass ' +
        `-c wechatPayNotifyUrl=https://<your-api-host>${WECHATPAY_NOTIFY_PATH}, or configure a custom domain ` +
        '(-c domainName=... -c certificateArn=...) to use https://<domainName>' +
        WECHATPAY_NOTIFY_PATH +
        '. ' +
        "The API's own execute-api URL cannot be used: the function's environment would depend on the API, " +
        'which depends on the function (a circular reference).',
    );
  }
  let url: URL;
  try {
    url = new URL(explicit);
  } catch {
    throw new Error(`context "wechatPayNotifyUrl" must be an absolute https URL, got ${JSON.stringify(explicit)}`);
  }
  // WeChat Pay only calls https URLs and does not allow query parameters in notify_url.
  if (url.protocol !== 'https:' || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new Error(
      `context "wechatPayNotifyUrl" must be an https URL without query, fragment or credentials, got ${JSON.stringify(explicit)}`,
    );
  }
  if (!url.pathname.endsWith(WECHATPAY_NOTIFY_PATH)) {
    throw new Error(`context "wechatPayNotifyUrl" must point at the API's ${WECHATPAY_NOTIFY_PATH} route, got ${JSON.stringify(explicit)}`);
  }
  return explicit;
}

/** Context lookups the app understands (`cdk synth -c stage=prod -c corsOrigins=https://a.example`). */
export interface ContextReader {
  tryGetContext(key: string): unknown;
}

function contextString(node: ContextReader, key: string): string | undefined {
  const value = node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new Error(`context "${key}" must be a string, got ${JSON.stringify(value)}`);
  return value.trim();
}

/** `true`/`"true"` or `false`/`"false"` (CLI context values are strings; cdk.json may hold booleans). */
function contextBoolean(node: ContextReader, key: string): boolean {
  const value = node.tryGetContext(key);
  if (value === undefined || value === null || value === '' || value === false || value === 'false') return false;
  if (value === true || value === 'true') return true;
  throw new Error(`context "${key}" must be true or false, got ${JSON.stringify(value)}`);
}

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

export function stageConfigFromContext(node: ContextReader): StageConfig {
  const stage = contextString(node, 'stage') ?? 'dev';
  if (!isStageName(stage)) throw new Error(`unknown stage "${stage}": use -c stage=${STAGES.join('|')}`);

  const corsOrigins = contextString(node, 'corsOrigins')
    ?.split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin.length > 0);

  const logLevel = contextString(node, 'logLevel');
  if (logLevel !== undefined && !(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new Error(`context "logLevel" must be one of ${LOG_LEVELS.join(', ')}`);
  }

  const domainName = contextString(node, 'domainName');
  const certificateArn = contextString(node, 'certificateArn');
  if ((domainName === undefined) !== (certificateArn === undefined)) {
    throw new Error('a custom domain needs both -c domainName=... and -c certificateArn=...');
  }

  const wechatPay = contextBoolean(node, 'wechatPay');
  const notifyUrl = contextString(node, 'wechatPayNotifyUrl');
  if (notifyUrl !== undefined && !wechatPay) {
    throw new Error('-c wechatPayNotifyUrl=... is only used with -c wechatPay=true');
  }

  const edge = contextBoolean(node, 'edge');
  const edgeRateLimit = contextString(node, 'edgeRateLimit');
  if (edgeRateLimit !== undefined && !edge) throw new Error('-c edgeRateLimit=... is only used with -c edge=true');

  return stageConfig(stage, {
    ...(corsOrigins ? { corsOrigins } : {}),
    ...(logLevel ? { logLevel: logLevel as StageConfig['logLevel'] } : {}),
    ...(contextString(node, 'alarmEmail') ? { alarmEmail: contextString(node, 'alarmEmail') } : {}),
    ...(domainName && certificateArn ? { domain: { domainName, certificateArn } } : {}),
    ...(contextString(node, 'wechatAppId') ? { wechatAppId: contextString(node, 'wechatAppId') } : {}),
    ...(contextString(node, 'wechatSubscribeTemplates')
      ? { wechatSubscribeTemplates: contextString(node, 'wechatSubscribeTemplates') }
      : {}),
    ...(contextString(node, 'wechatCodePage') ? { wechatCodePage: contextString(node, 'wechatCodePage') } : {}),
    ...(contextString(node, 'wechatCodeEnv') ? { wechatCodeEnv: contextString(node, 'wechatCodeEnv') } : {}),
    ...(contextString(node, 'wechatHoldReminderMinutes') !== undefined
      ? { wechatHoldReminderMinutes: Number(contextString(node, 'wechatHoldReminderMinutes')) }
      : {}),
    ...(contextString(node, 'wechatDigestIntervalMinutes') !== undefined
      ? { wechatDigestIntervalMinutes: Number(contextString(node, 'wechatDigestIntervalMinutes')) }
      : {}),
    ...(wechatPay ? { wechatPay: true } : {}),
    ...(notifyUrl ? { wechatPayNotifyUrl: notifyUrl } : {}),
    ...(edge ? { edge: true } : {}),
    ...(edgeRateLimit !== undefined ? { edgeRateLimit: Number(edgeRateLimit) } : {}),
  });
}

/** The 小程序码 settings, checked as the functions' config checks them (WECHAT_CODE_PAGE, WECHAT_CODE_ENV). */
function wechatCode(overrides: StageOverrides): NonNullable<StageConfig['wechatCode']> {
  if (!overrides.wechatAppId) throw new Error('-c wechatCodePage / wechatCodeEnv need -c wechatAppId=... (codes are made by WeChat)');
  const page = overrides.wechatCodePage;
  if (page !== undefined && !PAGE_PATH.test(page)) {
    throw new Error('context "wechatCodePage" must be a page path like pages/campaign/index (no leading slash, no query)');
  }
  const env = overrides.wechatCodeEnv;
  if (env !== undefined && !(CODE_ENVS as readonly string[]).includes(env)) {
    throw new Error(`context "wechatCodeEnv" must be one of ${CODE_ENVS.join(', ')}`);
  }
  return { ...(page ? { page } : {}), ...(env ? { env: env as CodeEnv } : {}) };
}

/** The reminder and digest minutes, checked as the functions' config checks them (whole minutes, in range), at synth. */
function messageMinutes(overrides: StageOverrides): Pick<StageConfig, 'messageMinutes'> {
  const { wechatHoldReminderMinutes: holdReminder, wechatDigestIntervalMinutes: digestInterval } = overrides;
  if (holdReminder === undefined && digestInterval === undefined) return {};
  if (!overrides.wechatSubscribeTemplates)
    throw new Error('-c wechatHoldReminderMinutes / wechatDigestIntervalMinutes are only used with -c wechatSubscribeTemplates=...');
  const check = (name: string, value: number | undefined, max: number) => {
    if (value !== undefined && !(Number.isInteger(value) && value >= 0 && value <= max))
      throw new Error(`context "${name}" must be whole minutes from 0 to ${max} (0 turns it off)`);
  };
  check('wechatHoldReminderMinutes', holdReminder, 60);
  check('wechatDigestIntervalMinutes', digestInterval, 7 * 24 * 60);
  return {
    messageMinutes: {
      ...(holdReminder !== undefined ? { holdReminder } : {}),
      ...(digestInterval !== undefined ? { digestInterval } : {}),
    },
  };
}

/** The templates as the functions will parse them: a mistake fails `cdk synth`, not the first settlement. */
function subscribeTemplates(overrides: StageOverrides): string {
  if (!overrides.wechatAppId) throw new Error('-c wechatSubscribeTemplates=... needs -c wechatAppId=... (messages go through WeChat)');
  const read = parseSubscribeTemplates(overrides.wechatSubscribeTemplates ?? '');
  if ('problem' in read) throw new Error(`context "wechatSubscribeTemplates" ${read.problem} (see README "Subscribe messages")`);
  return JSON.stringify(read.templates);
}
