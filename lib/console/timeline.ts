/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/** A gala's price-drop timeline (admins only): the drops in time order with countdowns, and scheduling one. */
import { instantOf } from '../../functions/shared/domain/time-zone.js';
import type { PriceDropView } from './api.js';
import { formatCountdown, formatInZone } from './format.js';
import { byId, field, show, showMessage } from './page.js';
import { api, state } from './state.js';

const TIMELINE_REFRESH_MS = 10_000;

export const stopTimeline = () => {
  clearInterval(state.timelineTimer);
  state.timelineTimer = undefined;
  state.drops = [];
  byId('timeline').replaceChildren();
};

export const loadTimeline = async (galaId: string) => {
  const { drops } = await api().request<{ drops: PriceDropView[] }>(
    'GET',
    `/galas/${encodeURIComponent(galaId)}/price-drops`,
  );
  state.galaId = galaId;
  state.drops = [...drops].sort((a, b) => a.at.localeCompare(b.at));
  byId('timeline-note').textContent =
    drops.length === 0 ? `Gala ${galaId} has no price drops yet.` : `Gala ${galaId}, in time order.`;
  const form = byId<HTMLFormElement>('schedule-drop');
  const zone = form.elements.namedItem('timeZone') as HTMLInputElement;
  if (!zone.value) zone.value = Intl.DateTimeFormat().resolvedOptions().timeZone;
  show(form, true);
  renderTimeline();
  if (state.timelineTimer === undefined) {
    let elapsed = 0;
    state.timelineTimer = setInterval(() => {
      elapsed += 1_000;
      if (elapsed % TIMELINE_REFRESH_MS === 0 && state.galaId) {
        const gala = state.galaId;
        api()
          .request<{ drops: PriceDropView[] }>('GET', `/galas/${encodeURIComponent(gala)}/price-drops`)
          .then(({ drops: fresh }) => {
            if (state.galaId !== gala) return;
            state.drops = [...fresh].sort((a, b) => a.at.localeCompare(b.at));
          })
          .catch(() => {
            // The next refresh tries again; the countdowns keep running on what is known.
          });
      }
      renderTimeline();
    }, 1_000);
  }
};

const describeDrop = (drop: PriceDropView): string => {
  const change =
    drop.percentOff !== undefined
      ? `${drop.percentOff}% off`
      : drop.dealPrice !== undefined
        ? `price set to ${drop.dealPrice} (minor units)`
        : 'no price change';
  const wave = drop.stock !== undefined ? `, +${drop.stock} units each` : '';
  const scope = drop.dealIds ? `${drop.dealIds.length} deal(s)` : 'every deal of the gala';
  return `${change}${wave} · ${scope}`;
};

const renderTimeline = () => {
  const list = byId('timeline');
  const now = Date.now();
  list.replaceChildren(
    ...state.drops.map((drop) => {
      const item = document.createElement('li');
      item.className = drop.status;
      const when = document.createElement('span');
      when.className = 'countdown';
      when.textContent =
        drop.status === 'SCHEDULED' ? formatCountdown(Date.parse(drop.at) - now) : drop.status.toLowerCase();
      const what = document.createElement('span');
      const here = Intl.DateTimeFormat().resolvedOptions().timeZone;
      what.textContent = `${formatInZone(drop.at, drop.timeZone)} (${drop.timeZone})${
        here === drop.timeZone ? '' : ` · here ${formatInZone(drop.at, here)}`
      } — ${describeDrop(drop)}`;
      const status = document.createElement('span');
      status.textContent = drop.status;
      item.append(when, what, status);
      return item;
    }),
  );
};

export const scheduleDrop = async (form: HTMLFormElement) => {
  const galaId = state.galaId;
  if (!galaId) return;
  const timeZone = field(form, 'timeZone');
  const wall = field(form, 'at');
  const body: Record<string, unknown> = {
    // datetime-local leaves out the seconds when they are zero.
    at: instantOf(wall.length === 16 ? `${wall}:00` : wall, timeZone),
    timeZone,
    percentOff: Number(field(form, 'percentOff')),
  };
  if (field(form, 'stock')) body.stock = Number(field(form, 'stock'));
  const drop = await api().request<PriceDropView>(
    'POST',
    `/galas/${encodeURIComponent(galaId)}/price-drops`,
    {
      body,
    },
  );
  showMessage(`Drop scheduled for ${formatInZone(drop.at, drop.timeZone)} (${drop.timeZone}).`, 'info');
  await loadTimeline(galaId);
};
