/**
 * The subset of a Google Calendar v3 Event resource that CanvasCal writes. Our own type,
 * so the core never imports googleapis types; field names are Google's.
 */
export interface EventDateTime {
  date?: string;
  dateTime?: string;
  timeZone?: string;
}

export interface EventBody {
  id?: string;
  summary: string;
  status?: 'confirmed' | 'tentative' | 'cancelled';
  description?: string;
  start: EventDateTime;
  end: EventDateTime;
  transparency?: 'opaque' | 'transparent';
  colorId?: string;
  reminders?: { useDefault: boolean; overrides?: Array<{ method: 'popup' | 'email'; minutes: number }> };
  source?: { title: string; url: string };
  extendedProperties?: { private?: Record<string, string>; shared?: Record<string, string> };
}
