// Generated from src/bridge/catalog.ts by `npm run docs`. Do not edit by hand.
export const CATALOG = {
 "methods": {
  "payment.pay": {
   "permission": "payment",
   "params": {
    "type": "object",
    "properties": {
     "amount": {
      "type": "number",
      "exclusiveMinimum": 0,
      "maximum": 1000000000,
      "maxDecimals": 2,
      "description": "Positive, at most 2 decimals."
     },
     "currency": {
      "type": "string",
      "enum": [
       "AED",
       "AFN",
       "ALL",
       "AMD",
       "ANG",
       "AOA",
       "ARS",
       "AUD",
       "AWG",
       "AZN",
       "BAM",
       "BBD",
       "BDT",
       "BGN",
       "BHD",
       "BIF",
       "BMD",
       "BND",
       "BOB",
       "BRL",
       "BSD",
       "BTN",
       "BWP",
       "BYN",
       "BZD",
       "CAD",
       "CDF",
       "CHF",
       "CLP",
       "CNY",
       "COP",
       "CRC",
       "CUP",
       "CVE",
       "CZK",
       "DJF",
       "DKK",
       "DOP",
       "DZD",
       "EGP",
       "ERN",
       "ETB",
       "EUR",
       "FJD",
       "FKP",
       "GBP",
       "GEL",
       "GHS",
       "GIP",
       "GMD",
       "GNF",
       "GTQ",
       "GYD",
       "HKD",
       "HNL",
       "HTG",
       "HUF",
       "IDR",
       "ILS",
       "INR",
       "IQD",
       "IRR",
       "ISK",
       "JMD",
       "JOD",
       "JPY",
       "KES",
       "KGS",
       "KHR",
       "KMF",
       "KPW",
       "KRW",
       "KWD",
       "KYD",
       "KZT",
       "LAK",
       "LBP",
       "LKR",
       "LRD",
       "LSL",
       "LYD",
       "MAD",
       "MDL",
       "MGA",
       "MKD",
       "MMK",
       "MNT",
       "MOP",
       "MRU",
       "MUR",
       "MVR",
       "MWK",
       "MXN",
       "MYR",
       "MZN",
       "NAD",
       "NGN",
       "NIO",
       "NOK",
       "NPR",
       "NZD",
       "OMR",
       "PAB",
       "PEN",
       "PGK",
       "PHP",
       "PKR",
       "PLN",
       "PYG",
       "QAR",
       "RON",
       "RSD",
       "RUB",
       "RWF",
       "SAR",
       "SBD",
       "SCR",
       "SDG",
       "SEK",
       "SGD",
       "SHP",
       "SLE",
       "SOS",
       "SRD",
       "SSP",
       "STN",
       "SVC",
       "SYP",
       "SZL",
       "THB",
       "TJS",
       "TMT",
       "TND",
       "TOP",
       "TRY",
       "TTD",
       "TWD",
       "TZS",
       "UAH",
       "UGX",
       "USD",
       "UYU",
       "UZS",
       "VES",
       "VND",
       "VUV",
       "WST",
       "XAF",
       "XCD",
       "XOF",
       "XPF",
       "YER",
       "ZAR",
       "ZMW",
       "ZWG"
      ],
      "description": "ISO 4217 code, e.g. \"EUR\"."
     },
     "orderId": {
      "type": "string",
      "minLength": 1,
      "maxLength": 64,
      "description": "The partner's order reference."
     },
     "description": {
      "type": "string",
      "minLength": 0,
      "maxLength": 256
     }
    },
    "required": [
     "amount",
     "currency",
     "orderId"
    ],
    "additionalProperties": false
   },
   "result": {
    "type": "object",
    "properties": {
     "transactionId": {
      "type": "string",
      "minLength": 1,
      "maxLength": 64
     },
     "status": {
      "type": "string",
      "enum": [
       "success"
      ]
     }
    },
    "required": [
     "transactionId",
     "status"
    ],
    "additionalProperties": false
   },
   "errors": [
    "PAYMENT_CANCELLED",
    "PAYMENT_FAILED"
   ],
   "since": "1.0.0"
  },
  "payment.refund": {
   "permission": "payment",
   "params": {
    "type": "object",
    "properties": {
     "transactionId": {
      "type": "string",
      "minLength": 1,
      "maxLength": 64
     },
     "amount": {
      "type": "number",
      "exclusiveMinimum": 0,
      "maximum": 1000000000,
      "maxDecimals": 2,
      "description": "Defaults to what is left of the payment."
     }
    },
    "required": [
     "transactionId"
    ],
    "additionalProperties": false
   },
   "result": {
    "type": "object",
    "properties": {
     "refundId": {
      "type": "string",
      "minLength": 1,
      "maxLength": 64
     },
     "amount": {
      "type": "number"
     }
    },
    "required": [
     "refundId",
     "amount"
    ],
    "additionalProperties": false
   },
   "errors": [
    "TRANSACTION_NOT_FOUND",
    "REFUND_EXCEEDS_PAYMENT",
    "PAYMENT_FAILED"
   ],
   "since": "2.1.0"
  },
  "storage.set": {
   "permission": "storage",
   "params": {
    "type": "object",
    "properties": {
     "key": {
      "type": "string",
      "minLength": 1,
      "maxLength": 512,
      "description": "Any string; keys are private to the app."
     },
     "value": {
      "type": "string",
      "description": "Counts toward the quota (10 MB per app by default)."
     }
    },
    "required": [
     "key",
     "value"
    ],
    "additionalProperties": false
   },
   "result": {
    "type": "object",
    "properties": {},
    "required": [],
    "additionalProperties": false
   },
   "errors": [
    "QUOTA_EXCEEDED"
   ],
   "since": "1.0.0"
  },
  "storage.get": {
   "permission": "storage",
   "params": {
    "type": "object",
    "properties": {
     "key": {
      "type": "string",
      "minLength": 1,
      "maxLength": 512,
      "description": "Any string; keys are private to the app."
     }
    },
    "required": [
     "key"
    ],
    "additionalProperties": false
   },
   "result": {
    "type": "object",
    "properties": {
     "value": {
      "type": [
       "string",
       "null"
      ]
     }
    },
    "required": [
     "value"
    ],
    "additionalProperties": false
   },
   "errors": [],
   "since": "1.0.0"
  },
  "storage.remove": {
   "permission": "storage",
   "params": {
    "type": "object",
    "properties": {
     "key": {
      "type": "string",
      "minLength": 1,
      "maxLength": 512,
      "description": "Any string; keys are private to the app."
     }
    },
    "required": [
     "key"
    ],
    "additionalProperties": false
   },
   "result": {
    "type": "object",
    "properties": {},
    "required": [],
    "additionalProperties": false
   },
   "errors": [],
   "since": "1.0.0"
  },
  "storage.clear": {
   "permission": "storage",
   "params": {
    "type": "object",
    "properties": {},
    "required": [],
    "additionalProperties": false
   },
   "result": {
    "type": "object",
    "properties": {},
    "required": [],
    "additionalProperties": false
   },
   "errors": [],
   "since": "1.0.0"
  },
  "storage.keys": {
   "permission": "storage",
   "params": {
    "type": "object",
    "properties": {},
    "required": [],
    "additionalProperties": false
   },
   "result": {
    "type": "object",
    "properties": {
     "keys": {
      "type": "array",
      "items": {
       "type": "string"
      }
     }
    },
    "required": [
     "keys"
    ],
    "additionalProperties": false
   },
   "errors": [],
   "since": "1.0.0"
  },
  "auth.getToken": {
   "permission": "auth",
   "params": {
    "type": "object",
    "properties": {
     "scope": {
      "type": "string",
      "enum": [
       "openid",
       "profile",
       "phone",
       "email"
      ]
     }
    },
    "required": [
     "scope"
    ],
    "additionalProperties": false
   },
   "result": {
    "type": "object",
    "properties": {
     "token": {
      "type": "string"
     },
     "expiresAt": {
      "type": "integer",
      "description": "Milliseconds since the epoch."
     },
     "scope": {
      "type": "string"
     }
    },
    "required": [
     "token",
     "expiresAt",
     "scope"
    ],
    "additionalProperties": false
   },
   "errors": [
    "USER_DENIED"
   ],
   "since": "1.0.0"
  },
  "location.get": {
   "permission": "geolocation",
   "params": {
    "type": "object",
    "properties": {
     "accuracy": {
      "type": "string",
      "enum": [
       "coarse",
       "fine"
      ]
     }
    },
    "required": [],
    "additionalProperties": false
   },
   "result": {
    "type": "object",
    "properties": {
     "latitude": {
      "type": "number"
     },
     "longitude": {
      "type": "number"
     },
     "accuracy": {
      "type": "number",
      "description": "Metres."
     }
    },
    "required": [
     "latitude",
     "longitude",
     "accuracy"
    ],
    "additionalProperties": false
   },
   "errors": [
    "USER_DENIED",
    "LOCATION_UNAVAILABLE"
   ],
   "since": "1.0.0"
  },
  "device.info": {
   "permission": "device",
   "params": {
    "type": "object",
    "properties": {},
    "required": [],
    "additionalProperties": false
   },
   "result": {
    "type": "object",
    "properties": {
     "platform": {
      "type": "string",
      "enum": [
       "android",
       "ios",
       "headless"
      ]
     },
     "model": {
      "type": "string"
     },
     "language": {
      "type": "string"
     },
     "screenWidth": {
      "type": "integer"
     },
     "screenHeight": {
      "type": "integer"
     },
     "hostVersion": {
      "type": "string"
     }
    },
    "required": [
     "platform",
     "model",
     "language",
     "screenWidth",
     "screenHeight",
     "hostVersion"
    ],
    "additionalProperties": false
   },
   "errors": [],
   "since": "1.0.0"
  },
  "ui.toast": {
   "permission": null,
   "params": {
    "type": "object",
    "properties": {
     "message": {
      "type": "string",
      "minLength": 1,
      "maxLength": 200
     },
     "duration": {
      "type": "integer",
      "minimum": 500,
      "maximum": 10000,
      "description": "Milliseconds."
     }
    },
    "required": [
     "message"
    ],
    "additionalProperties": false
   },
   "result": {
    "type": "object",
    "properties": {},
    "required": [],
    "additionalProperties": false
   },
   "errors": [],
   "since": "1.0.0"
  },
  "ui.showModal": {
   "permission": null,
   "params": {
    "type": "object",
    "properties": {
     "title": {
      "type": "string",
      "minLength": 1,
      "maxLength": 64
     },
     "content": {
      "type": "string",
      "minLength": 0,
      "maxLength": 1000
     },
     "confirmText": {
      "type": "string",
      "minLength": 1,
      "maxLength": 16
     },
     "cancelText": {
      "type": "string",
      "minLength": 1,
      "maxLength": 16
     }
    },
    "required": [
     "title"
    ],
    "additionalProperties": false
   },
   "result": {
    "type": "object",
    "properties": {
     "confirmed": {
      "type": "boolean"
     }
    },
    "required": [
     "confirmed"
    ],
    "additionalProperties": false
   },
   "errors": [],
   "since": "1.0.0"
  },
  "ui.setTitle": {
   "permission": null,
   "params": {
    "type": "object",
    "properties": {
     "title": {
      "type": "string",
      "minLength": 0,
      "maxLength": 64
     }
    },
    "required": [
     "title"
    ],
    "additionalProperties": false
   },
   "result": {
    "type": "object",
    "properties": {},
    "required": [],
    "additionalProperties": false
   },
   "errors": [],
   "since": "1.0.0"
  },
  "navigation.openMiniProgram": {
   "permission": null,
   "params": {
    "type": "object",
    "properties": {
     "appId": {
      "type": "string",
      "maxLength": 128,
      "pattern": "^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$"
     },
     "path": {
      "type": "string",
      "minLength": 0,
      "maxLength": 1024
     }
    },
    "required": [
     "appId"
    ],
    "additionalProperties": false
   },
   "result": {
    "type": "object",
    "properties": {},
    "required": [],
    "additionalProperties": false
   },
   "errors": [
    "APP_NOT_FOUND"
   ],
   "since": "2.0.0"
  },
  "navigation.close": {
   "permission": null,
   "params": {
    "type": "object",
    "properties": {},
    "required": [],
    "additionalProperties": false
   },
   "result": {
    "type": "object",
    "properties": {},
    "required": [],
    "additionalProperties": false
   },
   "errors": [],
   "since": "1.0.0"
  },
  "share.open": {
   "permission": "share",
   "params": {
    "type": "object",
    "properties": {
     "title": {
      "type": "string",
      "minLength": 1,
      "maxLength": 100
     },
     "text": {
      "type": "string",
      "minLength": 0,
      "maxLength": 1000
     },
     "url": {
      "type": "string",
      "maxLength": 2048,
      "pattern": "^https://"
     }
    },
    "required": [
     "title"
    ],
    "additionalProperties": false
   },
   "result": {
    "type": "object",
    "properties": {
     "shared": {
      "type": "boolean"
     }
    },
    "required": [
     "shared"
    ],
    "additionalProperties": false
   },
   "errors": [
    "SHARE_CANCELLED"
   ],
   "since": "2.0.0"
  },
  "clipboard.read": {
   "permission": "clipboard",
   "params": {
    "type": "object",
    "properties": {},
    "required": [],
    "additionalProperties": false
   },
   "result": {
    "type": "object",
    "properties": {
     "text": {
      "type": "string"
     }
    },
    "required": [
     "text"
    ],
    "additionalProperties": false
   },
   "errors": [
    "USER_DENIED",
    "CLIPBOARD_EMPTY"
   ],
   "since": "3.0.0"
  },
  "clipboard.write": {
   "permission": "clipboard",
   "params": {
    "type": "object",
    "properties": {
     "text": {
      "type": "string",
      "minLength": 0,
      "maxLength": 10000
     }
    },
    "required": [
     "text"
    ],
    "additionalProperties": false
   },
   "result": {
    "type": "object",
    "properties": {},
    "required": [],
    "additionalProperties": false
   },
   "errors": [
    "USER_DENIED"
   ],
   "since": "3.0.0"
  },
  "camera.scanCode": {
   "permission": "camera",
   "params": {
    "type": "object",
    "properties": {
     "formats": {
      "type": "array",
      "minItems": 1,
      "maxItems": 4,
      "uniqueItems": true,
      "items": {
       "type": "string",
       "enum": [
        "qr",
        "ean13",
        "code128",
        "datamatrix"
       ]
      }
     }
    },
    "required": [],
    "additionalProperties": false
   },
   "result": {
    "type": "object",
    "properties": {
     "text": {
      "type": "string"
     },
     "format": {
      "type": "string"
     }
    },
    "required": [
     "text",
     "format"
    ],
    "additionalProperties": false
   },
   "errors": [
    "USER_DENIED",
    "SCAN_CANCELLED"
   ],
   "since": "3.2.0"
  },
  "network.status": {
   "permission": "network",
   "params": {
    "type": "object",
    "properties": {},
    "required": [],
    "additionalProperties": false
   },
   "result": {
    "type": "object",
    "properties": {
     "online": {
      "type": "boolean"
     },
     "type": {
      "type": "string",
      "enum": [
       "wifi",
       "cellular",
       "none",
       "unknown"
      ]
     }
    },
    "required": [
     "online",
     "type"
    ],
    "additionalProperties": false
   },
   "errors": [],
   "since": "1.0.0"
  },
  "app.getLaunchInfo": {
   "permission": null,
   "params": {
    "type": "object",
    "properties": {},
    "required": [],
    "additionalProperties": false
   },
   "result": {
    "type": "object",
    "properties": {
     "appId": {
      "type": "string"
     },
     "version": {
      "type": "string"
     },
     "path": {
      "type": "string"
     },
     "query": {
      "type": "object"
     },
     "scene": {
      "type": "string"
     },
     "hostVersion": {
      "type": "string"
     }
    },
    "required": [
     "appId",
     "version",
     "path",
     "query",
     "scene",
     "hostVersion"
    ],
    "additionalProperties": false
   },
   "errors": [],
   "since": "1.0.0"
  },
  "contacts.pick": {
   "permission": "contacts",
   "params": {
    "type": "object",
    "properties": {
     "multiple": {
      "type": "boolean"
     }
    },
    "required": [],
    "additionalProperties": false
   },
   "result": {
    "type": "object",
    "properties": {
     "contacts": {
      "type": "array",
      "items": {
       "type": "object",
       "properties": {
        "name": {
         "type": "string"
        },
        "phone": {
         "type": "string"
        }
       },
       "required": [
        "name"
       ],
       "additionalProperties": false
      }
     }
    },
    "required": [
     "contacts"
    ],
    "additionalProperties": false
   },
   "errors": [
    "USER_DENIED"
   ],
   "since": "3.4.0"
  }
 },
 "permissions": {
  "auth": {
   "description": "Short-lived tokens that prove who the user is to the partner backend (the user agrees to share the scope).",
   "consent": true
  },
  "camera": {
   "description": "The camera, to scan codes.",
   "consent": true
  },
  "clipboard": {
   "description": "Read and write the clipboard.",
   "consent": true
  },
  "contacts": {
   "description": "Pick contacts from the address book.",
   "consent": true
  },
  "device": {
   "description": "Device model, platform, language and screen.",
   "consent": false
  },
  "geolocation": {
   "description": "The device location.",
   "consent": true
  },
  "network": {
   "description": "Connectivity status.",
   "consent": false
  },
  "payment": {
   "description": "Payments and refunds through the host wallet.",
   "consent": false
  },
  "share": {
   "description": "The host share sheet.",
   "consent": false
  },
  "storage": {
   "description": "Key-value storage kept by the host, per app, encrypted at rest.",
   "consent": false
  }
 },
 "commonErrors": [
  "METHOD_NOT_FOUND",
  "PERMISSION_DENIED",
  "INVALID_PARAMS",
  "INTERNAL_ERROR"
 ]
};
