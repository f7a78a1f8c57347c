/**
 * Which manifest permission a bridge method needs. A minimal table until the bridge catalogue lands;
 * the catalogue will replace this body with a lookup into it, keeping the signature.
 * Returns undefined for methods that need no permission (ui.*, navigation.*, app.*) and for unknown ones.
 */
export function methodPermission(method: string): string | undefined {
  const exact: Record<string, string> = {
    'auth.getToken': 'auth',
    'location.get': 'geolocation',
    'camera.scanCode': 'camera',
    'share.open': 'share',
    'device.info': 'device',
    'network.status': 'network',
  };
  if (Object.prototype.hasOwnProperty.call(exact, method)) return exact[method];
  const namespace = method.slice(0, method.indexOf('.'));
  if (namespace === 'payment' || namespace === 'storage' || namespace === 'clipboard') return method.length > namespace.length + 1 ? namespace : undefined;
  return undefined;
}
