import { ApiError, type Handlers } from '../api/dispatcher.ts';
import type { BackendContext } from '../backend/context.ts';

const pending = (): never => {
  throw new ApiError('unavailable', 'This part of the backend is being built.');
};

export function productsHandlers(_context: BackendContext) {
  return {
    'products.list': pending,
    'products.create': pending,
    'products.update': pending,
    'products.setActive': pending,
  } satisfies Partial<Handlers>;
}

export function logsHandlers(_context: BackendContext) {
  return {
    'logs.day': pending,
    'logs.saveRow': pending,
    'logs.setDayContext': pending,
    'logs.history': pending,
    'logs.edits': pending,
  } satisfies Partial<Handlers>;
}

export function importHandlers(_context: BackendContext) {
  return { 'import.preview': pending, 'import.commit': pending } satisfies Partial<Handlers>;
}

export function dataHandlers(_context: BackendContext) {
  return {
    'export.csv': pending,
    'backups.list': pending,
    'backups.create': pending,
    'backups.restore': pending,
    'settings.get': pending,
    'settings.set': pending,
    'settings.holidayRegions': pending,
  } satisfies Partial<Handlers>;
}
