/**
 * Files for tests, made on the spot: honest photos (with GPS and camera EXIF) and hostile files.
 * Exported as `@murmur/media/testing` for the API and worker tests.
 */
import { crc32, createDeflate } from 'node:zlib';
import sharp from 'sharp';

/** A noisy RGB JPEG (noise compresses like a photo), optionally with GPS and camera EXIF. */
export async function photoJpeg(
  width: number,
  height: number,
  options: { gps?: boolean; orientation?: number } = {},
): Promise<Buffer> {
  // Noise at a quarter of the size, scaled up: generating noise is slow, decoding it is not.
  const noise = await sharp({
    create: {
      width: Math.ceil(width / 4),
      height: Math.ceil(height / 4),
      channels: 3,
      background: '#3a7bd5',
      noise: { type: 'gaussian', mean: 128, sigma: 40 },
    },
  })
    .png({ compressionLevel: 0 })
    .toBuffer();
  let image = sharp(noise).resize(width, height, { kernel: 'nearest', fit: 'fill' });
  if (options.gps) {
    image = image.withExif({
      IFD0: { Make: 'TestCam', Model: 'Secret Model', Artist: 'Jane Doe' },
      IFD2: { BodySerialNumber: 'SN-0123456789' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '48/1 51/1 2400/100',
        GPSLongitudeRef: 'E',
        GPSLongitude: '2/1 17/1 4000/100',
      },
    });
  }
  if (options.orientation) image = image.withMetadata({ orientation: options.orientation });
  return image.jpeg({ quality: 90 }).toBuffer();
}

export async function solidPng(width: number, height: number, alpha = false): Promise<Buffer> {
  return sharp({
    create: {
      width,
      height,
      channels: alpha ? 4 : 3,
      background: alpha ? { r: 200, g: 40, b: 40, alpha: 0.5 } : '#c82828',
    },
  })
    .png()
    .toBuffer();
}

/** A JPEG cut in the middle of its image data. */
export async function truncatedJpeg(): Promise<Buffer> {
  const whole = await photoJpeg(800, 600);
  return whole.subarray(0, Math.floor(whole.length / 2));
}

/**
 * A decompression bomb: a width × height greyscale PNG of zeros. 20000×20000 is 400 million pixels
 * (1.2 GB as RGB once decoded) in about 400 KB. Written row by row, never held decoded.
 */
export async function decompressionBombPng(width = 20_000, height = 20_000): Promise<Buffer> {
  const deflate = createDeflate({ level: 9 });
  const compressed: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => compressed.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    deflate.on('end', resolve);
    deflate.on('error', reject);
  });
  const row = Buffer.alloc(1 + width); // filter byte 0, then one grey byte per pixel
  const rowsPerWrite = 64;
  const block = Buffer.concat(Array.from({ length: rowsPerWrite }, () => row));
  for (let y = 0; y < height; y += rowsPerWrite) {
    const rows = Math.min(rowsPerWrite, height - y);
    const more = deflate.write(
      rows === rowsPerWrite ? block : block.subarray(0, rows * row.length),
    );
    if (!more) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await done;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', Buffer.concat(compressed)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** An animated GIF of `frames` small noisy frames. */
export async function animatedGif(frames: number, size = 4): Promise<Buffer> {
  return sharp({
    create: {
      width: size,
      height: size * frames,
      channels: 3,
      background: '#000000',
      noise: { type: 'gaussian', mean: 128, sigma: 60 },
      pageHeight: size,
    },
  })
    .gif()
    .toBuffer();
}

export const SVG_WITH_SCRIPT = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">' +
    '<script>alert(document.cookie)</script><rect width="100" height="100" fill="red"/></svg>',
);

export const TEXT_FILE = Buffer.from(
  'This is not a picture, only text in a file named photo.png\n',
);
