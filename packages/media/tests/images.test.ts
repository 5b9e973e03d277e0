import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  inspectImage,
  MediaRejected,
  MEDIA_LIMITS,
  processAttachment,
  processProfileImage,
} from '../src/index.js';
import {
  animatedGif,
  decompressionBombPng,
  photoJpeg,
  solidPng,
  SVG_WITH_SCRIPT,
  TEXT_FILE,
  truncatedJpeg,
} from '../src/testing.js';

async function rejection(promise: Promise<unknown>): Promise<MediaRejected> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MediaRejected);
  return error as MediaRejected;
}

describe('attachments', () => {
  it('serves a photo without its GPS, camera and author EXIF', async () => {
    const photo = await photoJpeg(1200, 800, { gps: true });
    const before = await sharp(photo).metadata();
    expect(before.exif?.toString('latin1')).toContain('Secret Model');
    const result = await processAttachment(photo);
    for (const file of [result.original, result.small]) {
      const after = await sharp(file.bytes).metadata();
      expect(after.exif).toBeUndefined();
      expect(after.xmp).toBeUndefined();
      expect(after.iptc).toBeUndefined();
      expect(file.bytes.toString('latin1')).not.toContain('Secret Model');
      expect(file.bytes.toString('latin1')).not.toContain('SN-0123456789');
    }
    expect(result.original).toMatchObject({ width: 1200, height: 800, contentType: 'image/jpeg' });
    expect(result.small.contentType).toBe('image/webp');
    expect(result.small.width * result.small.height).toBeLessThanOrEqual(
      MEDIA_LIMITS.previewPixels,
    );
    expect(result.blurhash).toMatch(/^[0-9A-Za-z#$%*+,\-.:;=?@[\]^_{|}~]{20,}$/);
  });

  it('turns a photo by its EXIF orientation', async () => {
    const photo = await photoJpeg(600, 400, { orientation: 6 });
    const result = await processAttachment(photo);
    expect(result.original).toMatchObject({ width: 400, height: 600 });
    expect((await sharp(result.original.bytes).metadata()).orientation).toBeUndefined();
  });

  it('caps the original at 8.3 megapixels', async () => {
    const result = await processAttachment(await photoJpeg(4800, 3200));
    expect(result.original.width * result.original.height).toBeLessThanOrEqual(
      MEDIA_LIMITS.maxOriginalPixels,
    );
    expect(result.original.width / result.original.height).toBeCloseTo(1.5, 2);
  });

  it('keeps transparency of a PNG, and keeps an animated GIF animated', async () => {
    const png = await processAttachment(await solidPng(300, 200, true));
    expect(png.original.contentType).toBe('image/png');
    expect((await sharp(png.original.bytes).metadata()).hasAlpha).toBe(true);
    const gif = await processAttachment(await animatedGif(10, 40));
    expect(gif.original.contentType).toBe('image/gif');
    expect((await sharp(gif.original.bytes, { animated: true }).metadata()).pages).toBe(10);
  });

  it('reads WebP and AVIF, and serves them as WebP', async () => {
    const source = sharp({ create: { width: 64, height: 48, channels: 3, background: '#123456' } });
    for (const bytes of [
      await source.clone().webp().toBuffer(),
      await source.clone().avif().toBuffer(),
    ]) {
      const result = await processAttachment(bytes);
      expect(result.original).toMatchObject({ width: 64, height: 48, contentType: 'image/webp' });
    }
  });
});

describe('hostile files are refused quickly with a message', () => {
  it('a text file named .png', async () => {
    const error = await rejection(processAttachment(TEXT_FILE));
    expect(error.statusCode).toBe(422);
    expect(error.message).toMatch(/not an image/);
  });

  it('a truncated JPEG', async () => {
    const error = await rejection(processAttachment(await truncatedJpeg()));
    expect(error.message).toMatch(/damaged or incomplete/);
  });

  it('a decompression bomb, from its header, without decoding it', async () => {
    const bomb = await decompressionBombPng();
    expect(bomb.length).toBeLessThan(1_000_000);
    const before = process.memoryUsage().rss;
    const started = performance.now();
    const error = await rejection(processAttachment(bomb));
    expect(performance.now() - started).toBeLessThan(2000);
    expect(error.message).toMatch(/too large: 20000×20000/);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
  });

  it('an SVG with a script', async () => {
    const error = await rejection(processAttachment(SVG_WITH_SCRIPT));
    expect(error.message).toMatch(/SVG images are not accepted/);
  });

  it('a GIF with 10,000 frames', async () => {
    const gif = await animatedGif(10_000, 2);
    expect((await sharp(gif).metadata()).pages).toBe(10_000);
    const error = await rejection(inspectImage(gif));
    expect(error.message).toMatch(/too many frames: 10000/);
  });

  it('a file over 16 MB, before reading it (413)', async () => {
    const error = await rejection(inspectImage(Buffer.alloc(MEDIA_LIMITS.maxUploadBytes + 1)));
    expect(error.statusCode).toBe(413);
  });
});

describe('avatars and headers', () => {
  it('crops to 400×400 and 1500×500 around the centre', async () => {
    const photo = await photoJpeg(1000, 600, { gps: true });
    const avatar = await processProfileImage(photo, 'avatar');
    expect(avatar).toMatchObject({ width: 400, height: 400, contentType: 'image/jpeg' });
    expect((await sharp(avatar.bytes).metadata()).exif).toBeUndefined();
    const header = await processProfileImage(photo, 'header');
    expect(header).toMatchObject({ width: 1500, height: 500 });
  });
});
