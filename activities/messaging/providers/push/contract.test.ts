/** The push contract, run against every push connector through its real SDK and local peer. */
import { contractSuite } from '../../../../test/support/provider-contract';
import { fcmContract } from './fcm/contract-subject';

contractSuite('push', [fcmContract]);
