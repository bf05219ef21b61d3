/** The SMS contract, run against every SMS connector through its real SDK and local peer. */
import { contractSuite } from '../../../../test/support/provider-contract';
import { messageBirdSmsContract } from './messagebird/contract-subject';
import { twilioSmsContract } from './twilio/contract-subject';
import { vonageSmsContract } from './vonage/contract-subject';

contractSuite('sms', [twilioSmsContract, messageBirdSmsContract, vonageSmsContract]);
