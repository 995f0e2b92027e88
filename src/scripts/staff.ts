// Alpine (the CSP build: no eval, so the strict Content-Security-Policy holds) for the staff pages that load this
// module. Each page's behaviour is a named component (`x-data="name"`); every page works without it.
import Alpine from '@alpinejs/csp';
import { attendanceSheet } from './attendance';
import { copyButton } from './copy-button';
import { keepSheetsOffline } from './offline-sheet';
import { referralForm } from './referral-form';

Alpine.data('attendanceSheet', attendanceSheet);
Alpine.data('copyButton', copyButton);
Alpine.data('referralForm', referralForm);
Alpine.start();
// The attendance sheet opens with no network once it has been opened (a service worker; see offline-sheet.ts).
keepSheetsOffline();
