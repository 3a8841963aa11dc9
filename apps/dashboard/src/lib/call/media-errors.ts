/**
 * Turns getUserMedia failures into text a participant can act on. The DOMException names are the
 * standard ones (https://w3c.github.io/mediacapture-main/#dom-mediadevices-getusermedia).
 */
export function describeMediaError(error: unknown): string {
  const name = error instanceof Error || (typeof error === 'object' && error !== null && 'name' in error) ? String((error as { name: unknown }).name) : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'Camera and microphone access was blocked. Allow access in your browser (the camera icon in the address bar, or the site settings), then press “Try again”. You can also join without camera and microphone.';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'No camera or microphone was found. Connect one and press “Try again”, or join without camera and microphone.';
    case 'NotReadableError':
    case 'AbortError':
      return 'Your camera or microphone is in use by another application, or failed to start. Close the other application and press “Try again”.';
    case 'TypeError':
      return 'This page cannot use the camera here: open it over https (or on localhost).';
    default:
      return `The camera or microphone could not be started${error instanceof Error && error.message ? ` (${error.message})` : ''}. Press “Try again”, or join without camera and microphone.`;
  }
}

export function sfuUnreachableMessage(sfuUrl: string): string {
  return `Can't reach the media server at ${sfuUrl}. Check that the SFU is running (npm start at the repository root) and that this address is reachable from your browser; operators set it with SFU_PUBLIC_URL and allow this page's origin with SFU_CORS_ORIGINS.`;
}
