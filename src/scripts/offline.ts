// The script of the "Dagens møde" list: only the service worker's registration (no Alpine on that page).
import { keepSheetsOffline } from './offline-sheet';

keepSheetsOffline();
