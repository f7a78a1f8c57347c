// Generated from src/bridge/catalog.ts by `npm run docs`. Do not edit by hand.
/* eslint-disable */

/** Every bridge method: its params, its result and the error codes it can fail with. */
export interface BridgeMethods {
  /** Asks the user to pay through the host wallet. Permission: payment. Since host 1.0.0. */
  "payment.pay": {
    params: {
      "amount": number;
      "currency": "AED" | "AFN" | "ALL" | "AMD" | "ANG" | "AOA" | "ARS" | "AUD" | "AWG" | "AZN" | "BAM" | "BBD" | "BDT" | "BGN" | "BHD" | "BIF" | "BMD" | "BND" | "BOB" | "BRL" | "BSD" | "BTN" | "BWP" | "BYN" | "BZD" | "CAD" | "CDF" | "CHF" | "CLP" | "CNY" | "COP" | "CRC" | "CUP" | "CVE" | "CZK" | "DJF" | "DKK" | "DOP" | "DZD" | "EGP" | "ERN" | "ETB" | "EUR" | "FJD" | "FKP" | "GBP" | "GEL" | "GHS" | "GIP" | "GMD" | "GNF" | "GTQ" | "GYD" | "HKD" | "HNL" | "HTG" | "HUF" | "IDR" | "ILS" | "INR" | "IQD" | "IRR" | "ISK" | "JMD" | "JOD" | "JPY" | "KES" | "KGS" | "KHR" | "KMF" | "KPW" | "KRW" | "KWD" | "KYD" | "KZT" | "LAK" | "LBP" | "LKR" | "LRD" | "LSL" | "LYD" | "MAD" | "MDL" | "MGA" | "MKD" | "MMK" | "MNT" | "MOP" | "MRU" | "MUR" | "MVR" | "MWK" | "MXN" | "MYR" | "MZN" | "NAD" | "NGN" | "NIO" | "NOK" | "NPR" | "NZD" | "OMR" | "PAB" | "PEN" | "PGK" | "PHP" | "PKR" | "PLN" | "PYG" | "QAR" | "RON" | "RSD" | "RUB" | "RWF" | "SAR" | "SBD" | "SCR" | "SDG" | "SEK" | "SGD" | "SHP" | "SLE" | "SOS" | "SRD" | "SSP" | "STN" | "SVC" | "SYP" | "SZL" | "THB" | "TJS" | "TMT" | "TND" | "TOP" | "TRY" | "TTD" | "TWD" | "TZS" | "UAH" | "UGX" | "USD" | "UYU" | "UZS" | "VES" | "VND" | "VUV" | "WST" | "XAF" | "XCD" | "XOF" | "XPF" | "YER" | "ZAR" | "ZMW" | "ZWG";
      "orderId": string;
      "description"?: string;
    };
    result: {
      "transactionId": string;
      "status": "success";
    };
    error: "METHOD_NOT_FOUND" | "PERMISSION_DENIED" | "INVALID_PARAMS" | "INTERNAL_ERROR" | "PAYMENT_CANCELLED" | "PAYMENT_FAILED";
  };
  /** Refunds a payment this app made, in full or in part. Permission: payment. Since host 2.1.0. */
  "payment.refund": {
    params: {
      "transactionId": string;
      "amount"?: number;
    };
    result: {
      "refundId": string;
      "amount": number;
    };
    error: "METHOD_NOT_FOUND" | "PERMISSION_DENIED" | "INVALID_PARAMS" | "INTERNAL_ERROR" | "TRANSACTION_NOT_FOUND" | "REFUND_EXCEEDS_PAYMENT" | "PAYMENT_FAILED";
  };
  /** Stores a string under a key in the app's private storage. Permission: storage. Since host 1.0.0. */
  "storage.set": {
    params: {
      "key": string;
      "value": string;
    };
    result: Record<string, never>;
    error: "METHOD_NOT_FOUND" | "PERMISSION_DENIED" | "INVALID_PARAMS" | "INTERNAL_ERROR" | "QUOTA_EXCEEDED";
  };
  /** Reads a key; `value` is null when the key is not set. Permission: storage. Since host 1.0.0. */
  "storage.get": {
    params: {
      "key": string;
    };
    result: {
      "value": string | null;
    };
    error: "METHOD_NOT_FOUND" | "PERMISSION_DENIED" | "INVALID_PARAMS" | "INTERNAL_ERROR";
  };
  /** Removes a key (no error when it is not set). Permission: storage. Since host 1.0.0. */
  "storage.remove": {
    params: {
      "key": string;
    };
    result: Record<string, never>;
    error: "METHOD_NOT_FOUND" | "PERMISSION_DENIED" | "INVALID_PARAMS" | "INTERNAL_ERROR";
  };
  /** Removes every key of the app's storage. Permission: storage. Since host 1.0.0. */
  "storage.clear": {
    params: Record<string, never>;
    result: Record<string, never>;
    error: "METHOD_NOT_FOUND" | "PERMISSION_DENIED" | "INVALID_PARAMS" | "INTERNAL_ERROR";
  };
  /** Lists the keys the app has stored. Permission: storage. Since host 1.0.0. */
  "storage.keys": {
    params: Record<string, never>;
    result: {
      "keys": Array<string>;
    };
    error: "METHOD_NOT_FOUND" | "PERMISSION_DENIED" | "INVALID_PARAMS" | "INTERNAL_ERROR";
  };
  /** A host-signed token for the partner backend, bound to the app id and scope, valid 15 minutes. Permission: auth. Since host 1.0.0. */
  "auth.getToken": {
    params: {
      "scope": "openid" | "profile" | "phone" | "email";
    };
    result: {
      "token": string;
      "expiresAt": number;
      "scope": string;
    };
    error: "METHOD_NOT_FOUND" | "PERMISSION_DENIED" | "INVALID_PARAMS" | "INTERNAL_ERROR" | "USER_DENIED";
  };
  /** The device location. Permission: geolocation. Since host 1.0.0. */
  "location.get": {
    params: {
      "accuracy"?: "coarse" | "fine";
    };
    result: {
      "latitude": number;
      "longitude": number;
      "accuracy": number;
    };
    error: "METHOD_NOT_FOUND" | "PERMISSION_DENIED" | "INVALID_PARAMS" | "INTERNAL_ERROR" | "USER_DENIED" | "LOCATION_UNAVAILABLE";
  };
  /** Platform, model, language, screen size and host version. Permission: device. Since host 1.0.0. */
  "device.info": {
    params: Record<string, never>;
    result: {
      "platform": "android" | "ios" | "headless";
      "model": string;
      "language": string;
      "screenWidth": number;
      "screenHeight": number;
      "hostVersion": string;
    };
    error: "METHOD_NOT_FOUND" | "PERMISSION_DENIED" | "INVALID_PARAMS" | "INTERNAL_ERROR";
  };
  /** Shows a short message over the app. Permission: none. Since host 1.0.0. */
  "ui.toast": {
    params: {
      "message": string;
      "duration"?: number;
    };
    result: Record<string, never>;
    error: "METHOD_NOT_FOUND" | "PERMISSION_DENIED" | "INVALID_PARAMS" | "INTERNAL_ERROR";
  };
  /** Shows a modal dialog and resolves with the button the user chose. Permission: none. Since host 1.0.0. */
  "ui.showModal": {
    params: {
      "title": string;
      "content"?: string;
      "confirmText"?: string;
      "cancelText"?: string;
    };
    result: {
      "confirmed": boolean;
    };
    error: "METHOD_NOT_FOUND" | "PERMISSION_DENIED" | "INVALID_PARAMS" | "INTERNAL_ERROR";
  };
  /** Sets the title in the host's navigation bar. Permission: none. Since host 1.0.0. */
  "ui.setTitle": {
    params: {
      "title": string;
    };
    result: Record<string, never>;
    error: "METHOD_NOT_FOUND" | "PERMISSION_DENIED" | "INVALID_PARAMS" | "INTERNAL_ERROR";
  };
  /** Opens another mini-program, optionally at a path. Permission: none. Since host 2.0.0. */
  "navigation.openMiniProgram": {
    params: {
      "appId": string;
      "path"?: string;
    };
    result: Record<string, never>;
    error: "METHOD_NOT_FOUND" | "PERMISSION_DENIED" | "INVALID_PARAMS" | "INTERNAL_ERROR" | "APP_NOT_FOUND";
  };
  /** Closes the mini-program (the host unloads it). Permission: none. Since host 1.0.0. */
  "navigation.close": {
    params: Record<string, never>;
    result: Record<string, never>;
    error: "METHOD_NOT_FOUND" | "PERMISSION_DENIED" | "INVALID_PARAMS" | "INTERNAL_ERROR";
  };
  /** Opens the host share sheet. Permission: share. Since host 2.0.0. */
  "share.open": {
    params: {
      "title": string;
      "text"?: string;
      "url"?: string;
    };
    result: {
      "shared": boolean;
    };
    error: "METHOD_NOT_FOUND" | "PERMISSION_DENIED" | "INVALID_PARAMS" | "INTERNAL_ERROR" | "SHARE_CANCELLED";
  };
  /** Reads text from the clipboard. Permission: clipboard. Since host 3.0.0. */
  "clipboard.read": {
    params: Record<string, never>;
    result: {
      "text": string;
    };
    error: "METHOD_NOT_FOUND" | "PERMISSION_DENIED" | "INVALID_PARAMS" | "INTERNAL_ERROR" | "USER_DENIED" | "CLIPBOARD_EMPTY";
  };
  /** Writes text to the clipboard. Permission: clipboard. Since host 3.0.0. */
  "clipboard.write": {
    params: {
      "text": string;
    };
    result: Record<string, never>;
    error: "METHOD_NOT_FOUND" | "PERMISSION_DENIED" | "INVALID_PARAMS" | "INTERNAL_ERROR" | "USER_DENIED";
  };
  /** Opens the camera to scan a QR code or barcode. Permission: camera. Since host 3.2.0. */
  "camera.scanCode": {
    params: {
      "formats"?: Array<"qr" | "ean13" | "code128" | "datamatrix">;
    };
    result: {
      "text": string;
      "format": string;
    };
    error: "METHOD_NOT_FOUND" | "PERMISSION_DENIED" | "INVALID_PARAMS" | "INTERNAL_ERROR" | "USER_DENIED" | "SCAN_CANCELLED";
  };
  /** Whether the device is online and how. Permission: network. Since host 1.0.0. */
  "network.status": {
    params: Record<string, never>;
    result: {
      "online": boolean;
      "type": "wifi" | "cellular" | "none" | "unknown";
    };
    error: "METHOD_NOT_FOUND" | "PERMISSION_DENIED" | "INVALID_PARAMS" | "INTERNAL_ERROR";
  };
  /** How the app was launched: its id and version, the path and query, the scene and the host version. Permission: none. Since host 1.0.0. */
  "app.getLaunchInfo": {
    params: Record<string, never>;
    result: {
      "appId": string;
      "version": string;
      "path": string;
      "query": Record<string, string>;
      "scene": string;
      "hostVersion": string;
    };
    error: "METHOD_NOT_FOUND" | "PERMISSION_DENIED" | "INVALID_PARAMS" | "INTERNAL_ERROR";
  };
  /** Lets the user pick one or more contacts. Permission: contacts. Since host 3.4.0. */
  "contacts.pick": {
    params: {
      "multiple"?: boolean;
    };
    result: {
      "contacts": Array<{
        "name": string;
        "phone"?: string;
      }>;
    };
    error: "METHOD_NOT_FOUND" | "PERMISSION_DENIED" | "INVALID_PARAMS" | "INTERNAL_ERROR" | "USER_DENIED";
  };
}

export type BridgeMethodName = keyof BridgeMethods;
export type BridgeParams<M extends BridgeMethodName> = BridgeMethods[M]["params"];
export type BridgeResult<M extends BridgeMethodName> = BridgeMethods[M]["result"];
export type BridgeErrorCodeOf<M extends BridgeMethodName> = BridgeMethods[M]["error"];
export type BridgePermission = "auth" | "camera" | "clipboard" | "contacts" | "device" | "geolocation" | "network" | "payment" | "share" | "storage";

/** How a bridge call fails: `error.code` is one of the method's codes, `path` points at a bad param. */
export interface BridgeError<M extends BridgeMethodName = BridgeMethodName> extends Error {
  code: BridgeErrorCodeOf<M>;
  path?: string;
}

/** `window.MiniAppBridge`, typed end to end: `MiniAppBridge.call<"payment.pay">(...)`. */
export interface MiniAppBridge {
  call<M extends BridgeMethodName>(method: M, ...params: {} extends BridgeParams<M> ? [params?: BridgeParams<M>] : [params: BridgeParams<M>]): Promise<BridgeResult<M>>;
  canIUse(method: string): method is BridgeMethodName;
  readonly hostVersion: string;
  readonly lifecycleState: "loading" | "launched" | "shown" | "hidden" | "unloaded";
}
