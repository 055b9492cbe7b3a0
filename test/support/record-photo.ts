import { crc32, deflateSync } from "node:zlib";

/**
 * A PNG photo of a record on a table, `size` pixels square, with film grain so that it does
 * not compress: at 1200 px it is about 3 MB, large enough to watch its upload progress.
 * Deterministic, so every run uploads the same bytes; `variant` changes the label's colour and
 * the grain, so photos of different records differ (the benchmark lists many).
 */
export function recordPhoto(size = 1200, variant = 0): Buffer {
  const stride = size * 3 + 1;
  const raw = Buffer.alloc(stride * size);
  const c = size / 2;
  let seed = (0x2545f491 + variant * 0x9e3779b9) | 0 || 1;
  const label: [number, number, number] = [(242 + variant * 53) % 256, (140 + variant * 97) % 256, (40 + variant * 31) % 256];
  const grain = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return ((seed >>> 0) % 25) - 12;
  };
  for (let y = 0; y < size; y++) {
    raw[y * stride] = 0; // no filter on this row
    for (let x = 0; x < size; x++) {
      const r = Math.hypot(x - c, y - c) / c;
      let rgb: [number, number, number];
      if (r < 0.06) rgb = [20, 16, 12]; // spindle hole
      else if (r < 0.34) rgb = label;
      else if (r < 0.94) {
        const groove = 28 + 10 * Math.sin(r * 260) + 18 * Math.max(0, Math.cos(Math.atan2(y - c, x - c) * 2));
        rgb = [groove, groove, groove + 2];
      } else rgb = [96 + (y / size) * 40, 70 + (y / size) * 30, 48]; // wooden table
      const at = y * stride + 1 + x * 3;
      for (let i = 0; i < 3; i++) raw[at + i] = Math.max(0, Math.min(255, Math.round(rgb[i]! + grain())));
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bits per channel
  header[9] = 2; // truecolour
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}
