/** The map as a PNG with its title, legend, source and date: browser only. */

export interface PngLegendItem {
  color: string;
  label: string;
  hatched?: boolean;
  circle?: number;
}

export interface PngInput {
  map: HTMLCanvasElement;
  title: string;
  subtitle: string;
  legendTitle: string;
  legend: PngLegendItem[];
  source: string;
  date: string;
}

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", sans-serif';

function wrap(ctx: CanvasRenderingContext2D, text: string, width: number): string[] {
  const words = text.split(' ');
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    const next = line ? `${line} ${w}` : w;
    if (ctx.measureText(next).width > width && line) {
      lines.push(line);
      line = w;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines;
}

export async function mapPng(input: PngInput): Promise<Blob> {
  const src = input.map;
  const scale = Math.max(1, src.width / Math.max(1, src.clientWidth || src.width));
  const mapW = src.width / scale;
  const mapH = src.height / scale;
  const legendW = 250;
  const pad = 16;
  const headerH = 70;
  const footerH = 44;
  const width = mapW + legendW + pad * 3;
  const height = headerH + Math.max(mapH, 60 + input.legend.length * 22) + footerH;

  const canvas = document.createElement('canvas');
  canvas.width = Math.round(width * scale);
  canvas.height = Math.round(height * scale);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('Canvas 2D indisponible.');
  ctx.scale(scale, scale);
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);

  ctx.fillStyle = '#143d6b';
  ctx.font = `bold 20px ${FONT}`;
  ctx.fillText(input.title, pad, 30, width - 2 * pad);
  ctx.fillStyle = '#374151';
  ctx.font = `14px ${FONT}`;
  ctx.fillText(input.subtitle, pad, 54, width - 2 * pad);

  ctx.drawImage(src, pad, headerH, mapW, mapH);
  ctx.strokeStyle = '#d1d5db';
  ctx.strokeRect(pad + 0.5, headerH + 0.5, mapW - 1, mapH - 1);

  const lx = pad * 2 + mapW;
  let ly = headerH + 4;
  ctx.fillStyle = '#1a1a1a';
  ctx.font = `bold 13px ${FONT}`;
  for (const line of wrap(ctx, input.legendTitle, legendW)) {
    ctx.fillText(line, lx, ly + 12);
    ly += 17;
  }
  ly += 6;
  ctx.font = `13px ${FONT}`;
  for (const item of input.legend) {
    if (item.circle) {
      const r = item.circle;
      ctx.beginPath();
      ctx.arc(lx + 14, ly + 8, Math.min(r, 14), 0, 2 * Math.PI);
      ctx.fillStyle = item.color;
      ctx.globalAlpha = 0.8;
      ctx.fill();
      ctx.globalAlpha = 1;
    } else {
      ctx.fillStyle = item.color;
      ctx.fillRect(lx, ly, 28, 16);
      if (item.hatched) {
        ctx.save();
        ctx.beginPath();
        ctx.rect(lx, ly, 28, 16);
        ctx.clip();
        ctx.strokeStyle = '#5a5a5a';
        ctx.lineWidth = 1.5;
        for (let x = -16; x < 28; x += 5) {
          ctx.beginPath();
          ctx.moveTo(lx + x, ly + 16);
          ctx.lineTo(lx + x + 16, ly);
          ctx.stroke();
        }
        ctx.restore();
      }
      ctx.strokeStyle = '#6b7280';
      ctx.lineWidth = 1;
      ctx.strokeRect(lx + 0.5, ly + 0.5, 27, 15);
    }
    ctx.fillStyle = '#1a1a1a';
    ctx.fillText(item.label, lx + 36, ly + 13, legendW - 36);
    ly += 22;
  }

  ctx.fillStyle = '#4b5563';
  ctx.font = `12px ${FONT}`;
  const foot = `${input.source} — ${input.date}`;
  wrap(ctx, foot, width - 2 * pad)
    .slice(0, 2)
    .forEach((line, i) => ctx.fillText(line, pad, height - footerH + 16 + i * 15));

  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('Export PNG impossible.'))), 'image/png')
  );
}
