/**
 * The overlay's words in English and Russian, and the numbers in them: prices with Intl.NumberFormat in the
 * deal's currency and the viewer's locale, "37 left" with Intl.PluralRules ("осталось 37 штук"), countdowns as
 * a clock (mm:ss, h:mm:ss) in the locale's digits and, for screen readers, with Intl.RelativeTimeFormat.
 * Pure: no DOM, so the unit tests run it as the page does.
 */
import { formatMoney } from '../console/format.js';

export const LANGUAGES = ['en', 'ru'] as const;
export type Language = (typeof LANGUAGES)[number];

const isLanguage = (value: string | null | undefined): value is Language =>
  (LANGUAGES as readonly string[]).includes(value ?? '');
const primary = (tag: string) => tag.toLowerCase().split(/[-_]/)[0] ?? '';

/** The override (?lang=, the switcher) when it is one we speak, else the first of the viewer's languages we speak, else English. */
export const pickLanguage = (languages: readonly string[], override?: string | null): Language => {
  if (override && isLanguage(primary(override))) return primary(override) as Language;
  for (const tag of languages) {
    const lang = primary(tag);
    if (isLanguage(lang)) return lang;
  }
  return 'en';
};

/** Whether Intl takes the tag: browsers may list ones it refuses, such as `en-US@posix` from a POSIX locale. */
const isUsable = (tag: string): boolean => {
  try {
    return Intl.NumberFormat.supportedLocalesOf(tag).length > 0;
  } catch {
    return false;
  }
};

/** The viewer's own variant of the language when they have one (en-GB, ru-RU), else the language itself. */
export const localeFor = (language: Language, languages: readonly string[]): string =>
  languages.find((tag) => primary(tag) === language && isUsable(tag)) ?? language;

/** The fixed sentences; the ones with numbers are built by `Words` below. */
const PHRASES = {
  en: {
    heading: 'Deals on this stream',
    none: 'No deal right now. Stay tuned!',
    noStream: 'This page needs a stream: add ?stream= and the stream id to its address.',
    dealPrice: 'Deal price',
    listPrice: 'List price',
    stock: 'Stock',
    soldOut: 'Sold out',
    paused: 'Paused: back in a moment',
    claim: 'Claim coupon',
    claiming: 'Claiming…',
    haveCoupon: 'You have your coupon',
    coupon: 'Your coupon',
    code: 'Code',
    wallet: 'My coupons',
    walletEmpty: 'No coupons yet.',
    ISSUED: 'valid',
    REDEEMED: 'redeemed',
    EXPIRED: 'expired',
    language: 'Language',
    switchViewer: 'Switch viewer',
    signIn: 'Sign in',
    tokenHint: 'Paste a viewer access token (livedrop/viewer scope).',
    token: 'Token',
    SOLD_OUT: 'Sold out, sorry! Units nobody redeems come back on sale.',
    LIMIT_REACHED: 'You already have your coupon for this deal: see My coupons.',
    DEAL_NOT_LIVE: 'This deal is not open for claims right now.',
    RATE_LIMITED: 'Too many taps: wait a few seconds and try again.',
    UNAUTHORIZED: 'Your sign-in has expired: sign in again.',
    network: 'No connection: try again.',
    failed: 'That did not work: try again.',
    stale: 'Reconnecting…',
  },
  ru: {
    heading: 'Предложения в эфире',
    none: 'Сейчас предложений нет. Оставайтесь с нами!',
    noStream: 'Странице нужен эфир: добавьте к адресу ?stream= и идентификатор эфира.',
    dealPrice: 'Цена по акции',
    listPrice: 'Обычная цена',
    stock: 'Остаток',
    soldOut: 'Распродано',
    paused: 'Пауза: скоро продолжим',
    claim: 'Получить купон',
    claiming: 'Получаем…',
    haveCoupon: 'Купон уже у вас',
    coupon: 'Ваш купон',
    code: 'Код',
    wallet: 'Мои купоны',
    walletEmpty: 'Купонов пока нет.',
    ISSUED: 'действует',
    REDEEMED: 'использован',
    EXPIRED: 'истёк',
    language: 'Язык',
    switchViewer: 'Сменить зрителя',
    signIn: 'Войти',
    tokenHint: 'Вставьте токен зрителя (область livedrop/viewer).',
    token: 'Токен',
    SOLD_OUT: 'Всё распродано! Невыкупленные купоны возвращаются в продажу.',
    LIMIT_REACHED: 'Купон на это предложение у вас уже есть: см. «Мои купоны».',
    DEAL_NOT_LIVE: 'Сейчас это предложение недоступно.',
    RATE_LIMITED: 'Слишком много нажатий: подождите несколько секунд.',
    UNAUTHORIZED: 'Вход истёк: войдите снова.',
    network: 'Нет соединения: попробуйте ещё раз.',
    failed: 'Не получилось: попробуйте ещё раз.',
    stale: 'Переподключаемся…',
  },
} as const satisfies Record<Language, Record<string, string>>;

export type Phrase = keyof (typeof PHRASES)['en'];

/** Russian "осталось N штук" by plural category; `other` is for fractions, which stock never has. */
const RU_LEFT: Record<Intl.LDMLPluralRule, (n: string) => string> = {
  zero: (n) => `осталось ${n} штук`,
  one: (n) => `осталась ${n} штука`,
  two: (n) => `осталось ${n} штуки`,
  few: (n) => `осталось ${n} штуки`,
  many: (n) => `осталось ${n} штук`,
  other: (n) => `осталось ${n} штуки`,
};

export class Words {
  private readonly numbers: Intl.NumberFormat;
  private readonly twoDigits: Intl.NumberFormat;
  private readonly plurals: Intl.PluralRules;
  private readonly relative: Intl.RelativeTimeFormat;

  constructor(
    readonly language: Language,
    readonly locale: string = language,
  ) {
    this.numbers = new Intl.NumberFormat(locale);
    this.twoDigits = new Intl.NumberFormat(locale, { minimumIntegerDigits: 2, useGrouping: false });
    this.plurals = new Intl.PluralRules(language);
    this.relative = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  }

  t(phrase: Phrase): string {
    return PHRASES[this.language][phrase];
  }

  money(minor: number, currency: string): string {
    return formatMoney(minor, currency, this.locale);
  }

  /** "37 left" / "осталось 37 штук"; "Sold out" at 0. */
  left(available: number): string {
    if (available <= 0) return this.t('soldOut');
    const n = this.numbers.format(available);
    return this.language === 'ru' ? RU_LEFT[this.plurals.select(available)](n) : `${n} left`;
  }

  /** 299,000 ms -> "04:59"; 3,725,000 ms -> "1:02:05"; never negative. */
  clock(ms: number): string {
    const total = Math.max(0, Math.ceil(ms / 1000));
    const hours = Math.floor(total / 3600);
    const minutes = Math.floor((total % 3600) / 60);
    const seconds = total % 60;
    const tail = `${this.twoDigits.format(minutes)}:${this.twoDigits.format(seconds)}`;
    return hours > 0 ? `${this.numbers.format(hours)}:${tail}` : tail;
  }

  /** For screen readers: "in 5 minutes" / "через 5 минут", in the largest whole unit. */
  inTime(ms: number): string {
    const seconds = Math.max(0, Math.round(ms / 1000));
    if (seconds < 60) return this.relative.format(seconds, 'second');
    if (seconds < 3600) return this.relative.format(Math.round(seconds / 60), 'minute');
    return this.relative.format(Math.round(seconds / 3600), 'hour');
  }

  endsIn(clock: string): string {
    return this.language === 'ru' ? `До конца ${clock}` : `Ends in ${clock}`;
  }

  heldFor(clock: string): string {
    return this.language === 'ru' ? `Купон за вами ещё ${clock}` : `Held for you for ${clock}`;
  }

  priorLowest(price: string): string {
    return this.language === 'ru'
      ? `Самая низкая цена за последние 30 дней: ${price}`
      : `Lowest price in the last 30 days: ${price}`;
  }

  signedInAs(name: string): string {
    return this.language === 'ru' ? `Вы: ${name}` : `Signed in as ${name}`;
  }

  stream(streamId: string): string {
    return this.language === 'ru' ? `Эфир ${streamId}` : `Stream ${streamId}`;
  }

  /** What the live region says when a deal's stock or status changes (see `announcementOf`). */
  announce(kind: AnnouncementKind, title: string, available: number): string {
    const ru = this.language === 'ru';
    switch (kind) {
      case 'live':
        return ru
          ? `${title}: в продаже, ${this.left(available)}`
          : `${title} is on: ${this.left(available)}`;
      case 'paused':
        return ru ? `${title}: пауза` : `${title} is paused`;
      case 'resumed':
        return ru ? `${title}: снова в продаже` : `${title} is back on`;
      case 'soldOut':
        return ru ? `${title}: распродано` : `${title} is sold out`;
      case 'ended':
        return ru ? `${title}: предложение закончилось` : `${title} has ended`;
      case 'stock':
        return `${title}: ${this.left(available)}`;
    }
  }
}

export type AnnouncementKind = 'live' | 'paused' | 'resumed' | 'soldOut' | 'ended' | 'stock';
