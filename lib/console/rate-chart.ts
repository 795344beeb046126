/// <reference lib="dom" />
/** The claims/s chart: one bar per poll over the last minute, on a canvas. */

export const CHART_SECONDS = 60;

/** Draws `rates` (the newest last) against an axis a little above `peak`. */
export const drawRateChart = (canvas: HTMLCanvasElement, rates: readonly number[], peak: number) => {
  const context = canvas.getContext('2d');
  if (!context) return;
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || canvas.width;
  const height = canvas.clientHeight || canvas.height;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.clearRect(0, 0, width, height);
  const top = Math.max(1, Math.ceil(peak * 1.15));
  context.strokeStyle = '#dde1e6';
  context.fillStyle = '#646a73';
  context.font = '11px system-ui, sans-serif';
  for (const fraction of [0, 0.5, 1]) {
    const y = height - 18 - fraction * (height - 30);
    context.beginPath();
    context.moveTo(34, y);
    context.lineTo(width - 4, y);
    context.stroke();
    context.fillText((top * fraction).toFixed(top < 10 ? 1 : 0), 4, y + 4);
  }
  const slot = (width - 40) / CHART_SECONDS;
  context.fillStyle = '#5b3df5';
  const offset = CHART_SECONDS - rates.length;
  rates.forEach((rate, index) => {
    const barHeight = (rate / top) * (height - 30);
    context.fillRect(36 + (offset + index) * slot, height - 18 - barHeight, Math.max(1, slot - 2), barHeight);
  });
  context.fillStyle = '#646a73';
  context.fillText('-60 s', 36, height - 4);
  context.fillText('now', width - 28, height - 4);
};
