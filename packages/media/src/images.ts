/**
 * Image processing with sharp (libvips). Every decode runs with limits (pixels, frames, time); the
 * output is oriented by its EXIF tag, converted to sRGB and re-encoded, which drops every piece of
 * metadata (EXIF with GPS and camera serials, XMP, IPTC, comments): sharp keeps none unless asked.
 */
import { encode as encodeBlurhash } from 'blurhash';
import sharp, { type Metadata, type Sharp, type SharpOptions } from 'sharp';
import { MediaRejected } from './errors.js';
import { AVATAR_SIZE, HEADER_SIZE, MEDIA_LIMITS } from './limits.js';
import { profileImageKey, type MediaStorage } from './storage/storage.js';

export type ImageFormat = 'jpeg' | 'png' | 'gif' | 'webp' | 'avif';

export interface ImageInfo {
  format: ImageFormat;
  /** As displayed: after the EXIF orientation is applied. */
  width: number;
  height: number;
  frames: number;
}

export interface ProcessedImage {
  bytes: Buffer;
  extension: 'jpg' | 'png' | 'webp' | 'gif';
  contentType: string;
  width: number;
  height: number;
}

export interface ProcessedAttachment {
  original: ProcessedImage;
  small: ProcessedImage;
  blurhash: string;
}

const UNREADABLE =
  'The file is not an image this server can read (JPEG, PNG, GIF, WebP or AVIF are accepted)';

/** libvips's cache keeps decoded operations for reuse; uploads are never alike, so it only costs memory. */
export function disableImageCache(): void {
  sharp.cache(false);
}

function pixels(width: number, height: number): string {
  return `${width}×${height}`;
}

/** The format of a header sharp could read, or a refusal for anything else (SVG included). */
function formatOf(metadata: Metadata): ImageFormat {
  switch (metadata.format) {
    case 'jpeg':
    case 'png':
    case 'gif':
    case 'webp':
      return metadata.format;
    case 'heif':
      // The bundled libheif decodes AV1 (AVIF) but not HEVC (HEIC photos from phones).
      if (metadata.compression === 'av1') return 'avif';
      throw new MediaRejected('HEIC images are not supported; please upload a JPEG instead');
    case 'svg':
      throw new MediaRejected('SVG images are not accepted; please upload a PNG or JPEG instead');
    default:
      throw new MediaRejected(UNREADABLE);
  }
}

/**
 * Reads the header only (no pixels are decoded) and refuses what is too big before any work: a
 * 20000×20000 PNG of a few hundred kilobytes is turned away here, never decoded.
 */
export async function inspectImage(bytes: Buffer): Promise<ImageInfo> {
  if (bytes.length > MEDIA_LIMITS.maxUploadBytes) {
    throw new MediaRejected(
      `The file is too large (at most ${MEDIA_LIMITS.maxUploadBytes / 1024 / 1024} MB)`,
      413,
    );
  }
  let metadata: Metadata;
  try {
    metadata = await sharp(bytes, { limitInputPixels: false, failOn: 'none' }).metadata();
  } catch {
    throw new MediaRejected(UNREADABLE);
  }
  const format = formatOf(metadata);
  const width = metadata.width ?? 0;
  const height = metadata.pageHeight ?? metadata.height ?? 0;
  if (width <= 0 || height <= 0) throw new MediaRejected(UNREADABLE);
  if (width * height > MEDIA_LIMITS.maxInputPixels) {
    throw new MediaRejected(
      `The image is too large: ${pixels(width, height)} pixels (at most ${(MEDIA_LIMITS.maxInputPixels / 1e6).toFixed(1)} megapixels)`,
    );
  }
  const frames = metadata.pages ?? 1;
  if (frames > MEDIA_LIMITS.maxFrames) {
    throw new MediaRejected(
      `The animation has too many frames: ${frames} (at most ${MEDIA_LIMITS.maxFrames})`,
    );
  }
  if (frames > 1 && width * height * frames > MEDIA_LIMITS.maxAnimationPixels) {
    throw new MediaRejected('The animation is too large: too many frames of that size');
  }
  // EXIF orientations 5 to 8 turn the picture a quarter.
  const turned = (metadata.orientation ?? 1) >= 5;
  return { format, width: turned ? height : width, height: turned ? width : height, frames };
}

function decode(bytes: Buffer, animated: boolean): Sharp {
  const options: SharpOptions = {
    limitInputPixels: animated ? MEDIA_LIMITS.maxAnimationPixels : MEDIA_LIMITS.maxInputPixels,
    // Damaged and truncated files are refused rather than shown half grey.
    failOn: 'error',
    animated,
  };
  return sharp(bytes, options)
    .timeout({ seconds: MEDIA_LIMITS.processingTimeoutSeconds })
    .autoOrient()
    .toColourspace('srgb');
}

/** Runs a sharp pipeline; what libvips refuses (damaged data, a timeout) becomes a 422. */
async function render(
  pipeline: Sharp,
  format: ProcessedImage['extension'],
): Promise<ProcessedImage> {
  const encoded =
    format === 'jpg'
      ? pipeline.jpeg({ quality: 85 })
      : format === 'png'
        ? pipeline.png({ compressionLevel: 6 })
        : format === 'gif'
          ? pipeline.gif()
          : pipeline.webp({ quality: 85 });
  try {
    const { data, info } = await encoded.toBuffer({ resolveWithObject: true });
    return {
      bytes: data,
      extension: format,
      contentType: format === 'jpg' ? 'image/jpeg' : `image/${format}`,
      width: info.width,
      height: info.pageHeight ?? info.height,
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/timeout/i.test(message)) {
      throw new MediaRejected('The image took too long to process');
    }
    throw new MediaRejected('The image is damaged or incomplete and cannot be read');
  }
}

/** What a file is served as: the format of its kind, never anything the browser would run. */
function servedFormat(info: ImageInfo, animated: boolean): ProcessedImage['extension'] {
  switch (info.format) {
    case 'jpeg':
      return 'jpg';
    case 'png':
      return 'png';
    case 'gif':
      // Animated GIFs stay animated GIFs (type `image`, as Mastodon shows a GIF it did not convert);
      // a single frame becomes a PNG.
      return animated ? 'gif' : 'png';
    case 'webp':
    case 'avif':
      return 'webp';
  }
}

function scaledTo(width: number, height: number, maxPixels: number) {
  const scale = Math.min(1, Math.sqrt(maxPixels / (width * height)));
  return {
    width: Math.max(1, Math.floor(width * scale)),
    height: Math.max(1, Math.floor(height * scale)),
  };
}

/** BlurHash of a picture, from a 32-pixel-wide thumbnail (the hash has 4×3 components). */
async function blurhashOf(bytes: Buffer): Promise<string> {
  const { data, info } = await sharp(bytes, { failOn: 'error' })
    .resize(32, 32, { fit: 'inside' })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return encodeBlurhash(new Uint8ClampedArray(data), info.width, info.height, 4, 3);
}

/**
 * An attachment: the original scaled to at most 8.3 MP, a `small` preview of about 640×360 worth of
 * pixels (the first frame of an animation) and the BlurHash of the preview.
 */
export async function processAttachment(bytes: Buffer): Promise<ProcessedAttachment> {
  const info = await inspectImage(bytes);
  const animated = info.frames > 1;
  const target = scaledTo(info.width, info.height, MEDIA_LIMITS.maxOriginalPixels);
  let original = decode(bytes, animated);
  if (target.width < info.width) original = original.resize(target.width, target.height);
  const processed = await render(original, servedFormat(info, animated));
  const preview = scaledTo(processed.width, processed.height, MEDIA_LIMITS.previewPixels);
  const small = await render(
    decode(processed.bytes, false).resize(preview.width, preview.height),
    'webp',
  );
  return { original: processed, small, blurhash: await blurhashOf(small.bytes) };
}

/**
 * An avatar (400×400) or a header (1500×500): scaled to cover the box and cropped around the centre,
 * as Mastodon does; the first frame of an animation.
 */
export async function processProfileImage(
  bytes: Buffer,
  kind: 'avatar' | 'header',
): Promise<ProcessedImage> {
  const info = await inspectImage(bytes);
  const box = kind === 'avatar' ? AVATAR_SIZE : HEADER_SIZE;
  const pipeline = decode(bytes, false).resize(box.width, box.height, {
    fit: 'cover',
    position: 'centre',
    withoutEnlargement: false,
  });
  const format = info.format === 'jpeg' ? 'jpg' : info.format === 'webp' ? 'webp' : 'png';
  return render(pipeline, info.format === 'avif' ? 'webp' : format);
}

/**
 * Replaces an avatar or header: processes the new file (none: removes it), stores it under its
 * content's key, lets `save` record the key (returning the one it replaced), then deletes the
 * replaced file, which nothing points at any more. Refusals are MediaRejected, before any write.
 */
export async function replaceProfileImage(
  storage: MediaStorage,
  input: { accountId: string; kind: 'avatar' | 'header'; bytes: Buffer | null },
  save: (key: string | null) => Promise<{ previousKey: string | null }>,
): Promise<void> {
  let key: string | null = null;
  if (input.bytes) {
    const image = await processProfileImage(input.bytes, input.kind);
    key = profileImageKey(input.accountId, image.bytes, image.extension);
    await storage.put(key, image.bytes, image.contentType);
  }
  const { previousKey } = await save(key);
  if (previousKey) await storage.delete([previousKey]);
}
