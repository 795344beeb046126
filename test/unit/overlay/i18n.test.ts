import { describe, expect, it } from 'vitest';
import { localeFor, pickLanguage, Words } from '../../../lib/overlay/i18n.js';

/** The overlay's words: the language chosen, prices, plural forms and countdowns in the viewer's locale. */

const nbsp = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');

describe('choosing the language', () => {
  it.each([
    [['ru-RU', 'en'], null, 'ru'],
    [['de-DE', 'en-GB'], null, 'en'],
    [['de-DE'], null, 'en'],
    [['en-US'], 'ru', 'ru'],
    [['ru'], 'EN', 'en'],
    [['ru'], 'fr', 'ru'],
  ])('languages %j with override %s speak %s', (languages, override, expected) => {
    expect(pickLanguage(languages, override)).toBe(expected);
  });

  it('formats in the viewer’s own variant of the language when they have one', () => {
    expect(localeFor('en', ['de-DE', 'en-GB'])).toBe('en-GB');
    expect(localeFor('ru', ['en-US'])).toBe('ru');
  });

  it('passes over a tag Intl refuses (a POSIX locale such as en-US@posix)', () => {
    expect(pickLanguage(['en-US@posix'])).toBe('en');
    expect(localeFor('en', ['en-US@posix', 'en-GB'])).toBe('en-GB');
    expect(localeFor('en', ['en-US@posix'])).toBe('en');
  });
});

describe('prices', () => {
  it('are formatted for the deal’s currency in the viewer’s locale, from minor units', () => {
    expect(new Words('en', 'en-US').money(6000, 'EUR')).toBe('€60.00');
    expect(nbsp(new Words('ru').money(6000, 'EUR'))).toBe('60,00 €');
    expect(nbsp(new Words('ru').money(123_456, 'RUB'))).toBe('1 234,56 ₽');
    expect(new Words('en', 'en-US').money(1500, 'JPY')).toBe('¥1,500');
  });

  it('say the Omnibus prior lowest price in both languages', () => {
    expect(new Words('en', 'en-US').priorLowest('€80.00')).toBe('Lowest price in the last 30 days: €80.00');
    expect(new Words('ru').priorLowest('80 €')).toBe('Самая низкая цена за последние 30 дней: 80 €');
  });
});

describe('units left', () => {
  it.each([
    [1, 'осталась 1 штука'],
    [2, 'осталось 2 штуки'],
    [4, 'осталось 4 штуки'],
    [5, 'осталось 5 штук'],
    [11, 'осталось 11 штук'],
    [21, 'осталась 21 штука'],
    [37, 'осталось 37 штук'],
    [1000, 'осталось 1 000 штук'],
  ])('in Russian, %d is "%s" (Intl.PluralRules)', (available, expected) => {
    expect(nbsp(new Words('ru').left(available))).toBe(expected);
  });

  it('in English, "37 left", and sold out at none', () => {
    expect(new Words('en', 'en-US').left(37)).toBe('37 left');
    expect(new Words('en', 'en-US').left(1234)).toBe('1,234 left');
    expect(new Words('en').left(0)).toBe('Sold out');
    expect(new Words('ru').left(0)).toBe('Распродано');
  });
});

describe('countdowns', () => {
  it('are a clock, mm:ss below an hour and h:mm:ss above, never negative', () => {
    const words = new Words('en');
    expect(words.clock(299_000)).toBe('04:59');
    expect(words.clock(298_001)).toBe('04:59');
    expect(words.clock(3_725_000)).toBe('1:02:05');
    expect(words.clock(-4_000)).toBe('00:00');
  });

  it('are read out in words with Intl.RelativeTimeFormat', () => {
    expect(new Words('en').inTime(300_000)).toBe('in 5 minutes');
    expect(new Words('ru').inTime(300_000)).toBe('через 5 минут');
    expect(new Words('en').inTime(7_200_000)).toBe('in 2 hours');
  });

  it('name what they count down to', () => {
    expect(new Words('en').endsIn('04:59')).toBe('Ends in 04:59');
    expect(new Words('ru').endsIn('04:59')).toBe('До конца 04:59');
    expect(new Words('ru').heldFor('09:59')).toBe('Купон за вами ещё 09:59');
  });
});

describe('announcements', () => {
  it('say what changed in the viewer’s language', () => {
    expect(new Words('en').announce('live', 'Jacket', 20)).toBe('Jacket is on: 20 left');
    expect(new Words('ru').announce('soldOut', 'Куртка', 0)).toBe('Куртка: распродано');
    expect(new Words('ru').announce('stock', 'Куртка', 5)).toBe('Куртка: осталось 5 штук');
  });
});

describe('the claim button', () => {
  it('says the viewer has their coupon in both languages, where it would otherwise invite a claim', () => {
    expect(new Words('en').t('haveCoupon')).toBe('You have your coupon');
    expect(new Words('ru').t('haveCoupon')).toBe('Купон уже у вас');
    expect(new Words('ru').t('claim')).toBe('Получить купон');
  });
});
