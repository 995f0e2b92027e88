import type { Migration } from 'kysely/migration';
import * as domain from './2026-11-23T0900_domain';
import * as sessionFeedback from './2026-11-23T1000_session_feedback';
import * as yearlyCounts from './2026-11-23T1045_yearly_counts';
import * as indexes from './2026-11-23T1110_indexes';
import * as recoveryCodes from './2026-11-23T1120_recovery_codes';
import * as dataVersions from './2026-11-23T1300_data_versions';
import * as deployHardening from './2026-11-30T1200_deploy_hardening';
import * as messages from './2026-11-30T1400_messages';
import * as courseFollowup from './2026-11-30T1500_course_followup';
import * as passkeys from './2026-11-30T1600_passkeys';
import * as providerSignIn from './2026-11-30T1600_provider_sign_in';
import * as ageException from './2026-12-01T0100_age_exception';
import * as futureMarks from './2026-12-01T0100_future_marks';
import * as familyLinkSealed from './2026-12-01T0300_family_link_sealed';
import * as meetingNames from './2026-12-01T0500_meeting_names';
import * as coordinatorRole from './2026-12-01T0510_coordinator_role';

// Listed by hand so the migrations are bundled into the built server (no directory scan at run time).
// Names sort in the order they run.
export const migrations: Record<string, Migration> = {
  '2026-11-23T0900_domain': domain,
  '2026-11-23T1000_session_feedback': sessionFeedback,
  '2026-11-23T1045_yearly_counts': yearlyCounts,
  '2026-11-23T1110_indexes': indexes,
  '2026-11-23T1120_recovery_codes': recoveryCodes,
  '2026-11-23T1300_data_versions': dataVersions,
  '2026-11-30T1200_deploy_hardening': deployHardening,
  '2026-11-30T1400_messages': messages,
  '2026-11-30T1500_course_followup': courseFollowup,
  '2026-11-30T1600_passkeys': passkeys,
  '2026-11-30T1600_provider_sign_in': providerSignIn,
  '2026-12-01T0100_age_exception': ageException,
  '2026-12-01T0100_future_marks': futureMarks,
  '2026-12-01T0300_family_link_sealed': familyLinkSealed,
  '2026-12-01T0500_meeting_names': meetingNames,
  '2026-12-01T0510_coordinator_role': coordinatorRole,
};
