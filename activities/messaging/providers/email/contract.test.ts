/** The email contract, run against every email connector through its real SDK and local peer. */
import { contractSuite } from '../../../../test/support/provider-contract';
import { sesContract } from './ses/contract-subject';
import { smtpContract } from './smtp/contract-subject';

contractSuite('email', [smtpContract, sesContract]);
