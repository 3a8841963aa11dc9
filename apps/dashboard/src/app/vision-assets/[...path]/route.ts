import { createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { CACHE_CONTROL, resolveVisionAsset, VISION_ASSETS_VERSION } from '../../../lib/vision-assets/assets.ts';
import { assetPath } from '../../../lib/vision-assets/files.ts';

// Streams the camera check's WASM runtime and model bundle from this app's own origin.
export async function GET(_request: Request, { params }: { params: Promise<{ path: string[] }> }) {
  const asset = resolveVisionAsset((await params).path, VISION_ASSETS_VERSION);
  const file = asset && assetPath(asset.source, asset.file);
  if (!asset || !file) return new Response('Not found', { status: 404, headers: { 'Cache-Control': 'no-store' } });
  const { size } = statSync(file);
  return new Response(Readable.toWeb(createReadStream(file)) as ReadableStream, {
    headers: {
      'Content-Type': asset.contentType,
      'Content-Length': String(size),
      'Cache-Control': CACHE_CONTROL,
      ETag: `"${VISION_ASSETS_VERSION}"`,
      'X-Content-Type-Options': 'nosniff',
    },
  });
}
