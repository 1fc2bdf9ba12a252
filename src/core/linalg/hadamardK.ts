/**
 * Hadamard matrices of order K·2^n for the K that real model widths need, and their fast
 * orthonormal application as the Kronecker product H_K ⊗ H_{2^n} (QuaRot, Ashkboos et al.,
 * NeurIPS 2024, §3 and its hadamard_utils: 11008 = 172·64, 14336 = 28·512; QuIP#, Tseng et al.,
 * ICML 2024, §3 for the K·2^n construction).
 *
 * Constructions (Paley, "On orthogonal matrices", J. Math. Phys. 12, 1933; Horadam, "Hadamard
 * Matrices and Their Applications", 2007, §2.2), χ the quadratic character of GF(q), Q the
 * Jacobsthal matrix Q_ij = χ(a_i − a_j) over the field elements in index order:
 *  - Paley I, q ≡ 3 (mod 4): H = I + [[0, 1ᵀ], [−1, Q]], order q + 1:
 *    K = 12 (q = 11), 20 (19), 60 (59), 108 (107), 140 (139);
 *  - Paley II, q ≡ 1 (mod 4): C = [[0, 1ᵀ], [1, Q]], H = C ⊗ [[1, 1], [1, −1]] + I ⊗ [[1, −1],
 *    [−1, −1]], order 2(q + 1): K = 28 (q = 13), 36 (17), 52 (q = 25 = 5², GF(25) = GF(5)[x]/(x² − 2),
 *    element a + b·x at index a + 5b);
 *  - Sylvester doubling: H_40 = H_2 ⊗ H_20;
 *  - K = 156 and 172 have no Paley construction (155, 171 and 77, 85 are not prime powers): their
 *    matrices are committed tables from N. J. A. Sloane's "A Library of Hadamard Matrices"
 *    (had.156, had.172; neilsloane.com/hadamard), as reproduced in QuaRot's
 *    fake_quant/hadamard_utils.py. Each row is hex, a 1 bit for +1 (most significant bit first,
 *    zero-padded to whole hex digits).
 * hadamardK.test.ts checks H·Hᵀ = K·I for every K and compares the Paley ones with the numpy
 * generator's independent construction (fixtures/gen_formats2.py).
 *
 * Application: an index i of ℝ^N, N = K·P, P = 2^n, is (a, b) with i = a·P + b. y = (H_K ⊗ H_P)x/√N
 * is an unnormalised FWHT of each of the K contiguous length-P pieces, then H_K (or H_Kᵀ for the
 * inverse: Paley I matrices are not symmetric) on each of the P strided K-vectors, then 1/√N.
 * Cost per vector: N·(log2 P + K) additions.
 */
import { fwhtInPlace, isPowerOfTwo } from './fwht';

/** The K with a Hadamard matrix here (beyond powers of two). */
export const HADAMARD_K = [12, 20, 28, 36, 40, 52, 60, 108, 140, 156, 172] as const;

// Sloane's had.156 (rows as hex, 1 = +1, MSB first).
const TABLE_156 = [
  'e504c320a7e2614a191f9a2909459c6a0edc158',
  'f282619053f130a50c8fcd1484a2ca35076e0ac',
  'f94130c829f898528647e68a4251611a83b7056',
  '7ca0986415fc4c294321f3452128b08d41db82b',
  '3e504c320afe2614a190f9a290945c46a0edc15',
  '9f282619047f130a50ca7cd1484a2e235076e0a',
  '4f94130c823f898528673e68a4251311a83b705',
  'a7ca0986411fc4c294319f3452128d88d41db82',
  '53e504c3208fe2614a1acf9a290942c46a0edc1',
  '29f282619047f130a50d67cd1484a56235076e0',
  '14f94130c923f8985284b3e68a4252b11a83b70',
  '0a7ca0986591fc4c294059f3452129588d41db8',
  '053e504c32c8fe2614a22cf9a29090ac46a0edc',
  '829f282618647f130a51167cd1484856235076e',
  '414f94130c323f89852a8b3e68a4202b11a83b7',
  '20a7ca0986191fc4c295459f3452141588d41db',
  '9053e504c30c8fe26148a2cf9a290e0ac46a0ed',
  'c829f282608647f130a65167cd1487056235076',
  '6414f941314323f8985128b3e68a4382b11a83b',
  '320a7ca098a191fc4c289459f34525c1588d41d',
  '19053e504c50c8fe26144a2cf9a296e0ac46a0e',
  '0c829f282728647f130825167cd14b705623507',
  '86414f941294323f8986128b3e68a5b82b11a83',
  'c320a7ca094a191fc4c109459f3456dc1588d41',
  '619053e504a50c8fe26084a2cf9a2f6e0ac46a0',
  '30c829f282528647f132425167cd13b70562350',
  '986414f940294323f8992128b3e689db82b11a8',
  '4c320a7ca014a191fc4e909459f340edc1588d4',
  '2619053e510a50c8fe25484a2cf9a076e0ac46a',
  '130c829f298528647f10a425167cd03b7056235',
  '0986414f94c294323f8852128b3e6c1db82b11a',
  '04c320a7ca614a191fc62909459f320edc1588d',
  '82619053e530a50c8fe11484a2cf9d076e0ac46',
  '4130c829f298528647f28a425167ca83b705623',
  'a0986414f84c294323fb452128b3e541db82b11',
  '504c320a7c2614a191fda2909459f6a0edc1588',
  '282619053f130a50c8fcd1484a2cfb5076e0ac4',
  '94130c829f898528647e68a4251679a83b70562',
  'ca0986414fc4c294323f3452128b38d41db82b1',
  '0ecf5af371ca0986414dcaf891f53f3452128b3',
  '0767ad79b9e504c320a6e57c48fa9f9a2909459',
  '03b3d6bcddf28261905372be247d4fcd1484a2c',
  '01d9eb5e6ef94130c82bb95f123ea3e68a42516',
  '80ecf5af367ca0986415dcaf891f51f3452128b',
  'c0767ad79b3e504c3208ee57c48facf9a290945',
  'e03b3d6bcc9f28261906772be247d67cd1484a2',
  '701d9eb5e74f94130c813b95f123eb3e68a4251',
  'b80ecf5af2a7ca0986429dcaf891f59f3452128',
  'dc0767ad7853e504c3214ee57c48facf9a29094',
  '6e03b3d6bc29f2826192a772be247967cd1484a',
  '3701d9eb5e14f94130cb53b95f1238b3e68a425',
  '9b80ecf5ae0a7ca09867a9dcaf891c59f345212',
  'cdc0767ad7053e504c33d4ee57c48a2cf9a2909',
  'e6e03b3d6a829f28261bea772be245167cd1484',
  'f3701d9eb4414f94130df53b95f1228b3e68a42',
  '79b80ecf5b20a7ca0984fa9dcaf891459f34521',
  'bcdc0767ad9053e504c07d4ee57c4ca2cf9a290',
  '5e6e03b3d6c829f282623ea772be225167cd148',
  'af3701d9ea6414f941311f53b95f1128b3e68a4',
  'd79b80ecf4320a7ca0988fa9dcaf889459f3452',
  '6bcdc0767a19053e504e47d4ee57c04a2cf9a29',
  'b5e6e03b3d0c829f282523ea772be425167cd14',
  '5af3701d9f86414f941091f53b95f2128b3e68a',
  'ad79b80ecec320a7ca0848fa9dcaf909459f345',
  'd6bcdc0766619053e506247d4ee57c84a2cf9a2',
  'eb5e6e03b330c829f283123ea772ba425167cd1',
  'f5af3701d8986414f943891f53b95d2128b3e68',
  '7ad79b80ec4c320a7ca3c48fa9dcaa909459f34',
  '3d6bcdc0762619053e53e247d4ee51484a2cf9a',
  '9eb5e6e03a130c829f29f123ea7728a425167cd',
  'cf5af3701c0986414f96f891f53b9452128b3e6',
  '67ad79b80f04c320a7c97c48fa9dca2909459f3',
  'b3d6bcdc0682619053e6be247d4ee51484a2cf9',
  'd9eb5e6e034130c829f15f123ea7768a425167c',
  'ecf5af3700a0986414f8af891f53bb452128b3e',
  '767ad79b80504c320a7e57c48fa9d9a2909459f',
  '3b3d6bcdc1282619053f2be247d4ecd1484a2cf',
  '1d9eb5e6e194130c829f95f123ea7668a425167',
  '1975bdae991a83b7056394130c8298767ad79b8',
  '0cbaded74c8d41db82b3ca098641483b3d6bcdc',
  '065d6f6ba646a0edc15be504c320a01d9eb5e6e',
  '832eb7b5d2235076e0adf2826190500ecf5af37',
  'c1975bdae911a83b7054f94130c82c0767ad79b',
  '60cbaded7588d41db82a7ca098641603b3d6bcd',
  '3065d6f6bac46a0edc153e504c320f01d9eb5e6',
  '9832eb7b5d6235076e0a9f2826190380ecf5af3',
  '4c1975bdaeb11a83b7054f94130c85c0767ad79',
  'a60cbaded7588d41db80a7ca098646e03b3d6bc',
  'd3065d6f6aac46a0edc053e504c323701d9eb5e',
  'e9832eb7b456235076e029f2826191b80ecf5af',
  '74c1975bda2b11a83b7014f94130ccdc0767ad7',
  'ba60cbadec1588d41dba0a7ca098666e03b3d6b',
  '5d3065d6f60ac46a0edd053e504c373701d9eb5',
  'ae9832eb7b056235076c829f28261f9b80ecf5a',
  'd74c1975bd82b11a83b6414f94130bcdc0767ad',
  '6ba60cbadfc1588d41db20a7ca0985e6e03b3d6',
  'b5d3065d6ee0ac46a0ed9053e504c2f3701d9eb',
  'dae9832eb77056235074c829f2826579b80ecf5',
  'ed74c1975bb82b11a8386414f94136bcdc0767a',
  'f6ba60cbacdc1588d41c320a7ca09b5e6e03b3d',
  '7b5d3065d76e0ac46a0e19053e504daf3701d9e',
  'bdae9832ebb7056235070c829f2822d79b80ecf',
  'ded74c1975db82b11a8186414f94156bcdc0767',
  '6f6ba60cbaedc1588d40c320a7ca0eb5e6e03b3',
  'b7b5d3065c76e0ac46a2619053e5075af3701d9',
  '5bdae9832e3b7056235130c829f287ad79b80ec',
  'aded74c1961db82b11a8986414f943d6bcdc076',
  'd6f6ba60ca0edc1588d44c320a7ca1eb5e6e03b',
  'eb7b5d3065076e0ac4682619053e54f5af3701d',
  '75bdae983283b7056234130c829f2e7ad79b80e',
  'baded74c1941db82b11a0986414f933d6bcdc07',
  '5d6f6ba60ca0edc1588d04c320a7cd9eb5e6e03',
  '2eb7b5d3075076e0ac4682619053e6cf5af3701',
  '975bdae983a83b7056214130c829f767ad79b80',
  'cbaded74c0d41db82b10a0986414fbb3d6bcdc0',
  '65d6f6ba606a0edc158a504c320a79d9eb5e6e0',
  '32eb7b5d3035076e0ac72826190538ecf5af370',
  '72be247d4e32eb7b5d33c4c294323f282619053',
  'b95f123ea61975bdae9be2614a191f94130c829',
  'dcaf891f520cbaded74ff130a50c8fca0986414',
  'ee57c48fa9065d6f6ba7f898528643e504c320a',
  '772be247d5832eb7b5d1fc4c294321f28261905',
  '3b95f123eac1975bdae8fe2614a194f94130c82',
  '9dcaf891f460cbaded747f130a50ca7ca098641',
  '4ee57c48fb3065d6f6ba3f898528653e504c320',
  'a772be247c9832eb7b5d1fc4c294329f2826190',
  '53b95f123f4c1975bdac8fe2614a194f94130c8',
  'a9dcaf891fa60cbaded647f130a508a7ca09864',
  'd4ee57c48fd3065d6f6b23f898528053e504c32',
  'ea772be246e9832eb7b591fc4c294029f282619',
  'f53b95f12374c1975bd8c8fe2614a414f94130c',
  'fa9dcaf890ba60cbadec647f130a520a7ca0986',
  '7d4ee57c495d3065d6f4323f898529053e504c3',
  '3ea772be25ae9832eb7a191fc4c294829f28261',
  '1f53b95f12d74c1975bd0c8fe2614e414f94130',
  '8fa9dcaf896ba60cbade8647f130a320a7ca098',
  '47d4ee57c5b5d3065d6d4323f898519053e504c',
  '23ea772be3dae9832eb4a191fc4c28c829f2826',
  '91f53b95f1ed74c1975a50c8fe26106414f9413',
  '48fa9dcaf8f6ba60cbad28647f130c320a7ca09',
  '247d4ee57d7b5d3065d694323f898619053e504',
  '123ea772bfbdae9832e94a191fc4c30c829f282',
  '891f53b95eded74c1974a50c8fe26186414f941',
  'c48fa9dcaf6f6ba60cb8528647f134c320a7ca0',
  'e247d4ee56b7b5d3065c294323f89a619053e50',
  'f123ea772b5bdae9832e14a191fc4930c829f28',
  'f891f53b95aded74c1970a50c8fe20986414f94',
  '7c48fa9dcbd6f6ba60c98528647f104c320a7ca',
  'be247d4ee4eb7b5d3064c294323f882619053e5',
  '5f123ea77375bdae9832614a191fc4130c829f2',
  'af891f53b8baded74c1930a50c8fe20986414f9',
  '57c48fa9dc5d6f6ba60c98528647f504c320a7c',
  '2be247d4ef2eb7b5d3044c294323fa82619053e',
  '95f123ea77975bdae9822614a191f94130c829f',
  'caf891f53acbaded74c3130a50c8fca0986414f',
  'e57c48fa9c65d6f6ba63898528647e504c320a7',
];

// Sloane's had.172 (rows as hex, 1 = +1, MSB first).
const TABLE_172 = [
  '8cf5d9baf31bf0a6d943f7acaf42f535e3d260192f1',
  '467aecdd799df8536ca1fbd657a17a9af1e9300c978',
  '233d766ebccefc29b650ffeb2bd0bd4d38f498064bc',
  '119ebb375e777e14db287df595e85ea69c7a4c0325e',
  '88cf5d9baf3bbf0a6d943efacaf42f530e3d260192f',
  'c467aecdd79ddf8536ca1d7d657a17a9c71e9300c97',
  '6233d766ebdeefc29b650ebeb2bd0bd4e38f498064b',
  '3119ebb375ff77e14db2875f595e85ea71c7a4c0325',
  '988cf5d9baffbbf0a6d941afacaf42f578e3d260192',
  'cc467aecdd6fddf8536ca0d7d657a17abc71e9300c9',
  'e6233d766ea7eefc29b6526beb2bd0bd5e38f498064',
  'f3119ebb3743f77e14db2935f595e85eaf1c7a4c032',
  '7988cf5d9ba1fbbf0a6d969afacaf42f178e3d26019',
  'bcc467aecdd0fddf8536c94d7d657a17cbc71e9300c',
  '5e6233d766e87eefc29b66a6beb2bd0ba5e38f49806',
  'af3119ebb3743f77e14db3535f595e8592f1c7a4c03',
  'd7988cf5d9aa1fbbf0a6dba9afacaf42c978e3d2601',
  'ebcc467aecc50fddf8536fd4d7d657a164bc71e9300',
  '75e6233d767287eefc29b5ea6beb2bd0b25e38f4980',
  'baf3119ebb3943f77e14daf535f595e8192f1c7a4c0',
  'dd7988cf5d8ca1fbbf0a6d7a9afacaf40c978e3d260',
  '6ebcc467aed650fddf8534bd4d7d657a064bc71e930',
  '375e6233d77b287eefc2985ea6beb2bd0325e38f498',
  '9baf3119ebad943f77e14c2f535f595e8192f1c7a4c',
  'cdd7988cf5d6ca1fbbf0a617a9afacaf00c978e3d26',
  '66ebcc467afb650fddf8510bd4d7d6578064bc71e93',
  'b375e6233d6db287eefc2a85ea6beb2bc0325e38f49',
  'd9baf3119ea6d943f77e1742f535f595e0192f1c7a4',
  'ecdd7988cf536ca1fbbf0ba17a9afacab00c978e3d2',
  '766ebcc467a9b650fddf87d0bd4d7d6518064bc71e9',
  'bb375e6233d4db287eefc1e85ea6beb2cc0325e38f4',
  '5d9baf3119ea6d943f77e2f42f535f59260192f1c7a',
  'aecdd7988ce536ca1fbbf17a17a9afac9300c978e3d',
  'd766ebcc46629b650fddfabd0bd4d7d6498064bc71e',
  'ebb375e623214db287eefd5e85ea6beb24c0325e38f',
  'f5d9baf31190a6d943f77caf42f535f5d260192f1c7',
  '7aecdd7988d8536ca1fbbe57a17a9afae9300c978e3',
  '3d766ebcc47c29b650fddf2bd0bd4d7d7498064bc71',
  '9ebb375e623e14db287eed95e85ea6befa4c0325e38',
  'cf5d9baf311f0a6d943f76caf42f535f3d260192f1c',
  '67aecdd7989f8536ca1fb9657a17a9af9e9300c978e',
  '33d766ebcc4fc29b650fdeb2bd0bd4d78f498064bc7',
  '19ebb375e637e14db287ef595e85ea6bc7a4c0325e3',
  '207ac935e0519ebb375e60e16cff36877595e85ea6b',
  '103d649af028cf5d9baf3070b67f9b43facaf42f535',
  '881eb24d780467aecdd79a385b3fcda1fd657a17a9a',
  '440f5926bc0233d766ebcf1c2d9fe6d0beb2bd0bd4d',
  '2207ac935e1119ebb375e78e16cff3685f595e85ea6',
  '1103d649af188cf5d9baf1c70b67f9b42facaf42f53',
  '0881eb24d78c467aecdd78e385b3fcda57d657a17a9',
  '0440f5926bc6233d766ebc71c2d9fe6d6beb2bd0bd4',
  '02207ac935f3119ebb375c38e16cff36b5f595e85ea',
  '81103d649af988cf5d9bae1c70b67f9b1afacaf42f5',
  'c0881eb24d7cc467aecdd50e385b3fcdcd7d657a17a',
  'e0440f5926be6233d766ea871c2d9fe6a6beb2bd0bd',
  'f02207ac934f3119ebb377438e16cff3535f595e85e',
  '781103d649b7988cf5d9b9a1c70b67f9a9afacaf42f',
  'bc0881eb24cbcc467aecded0e385b3fcd4d7d657a17',
  '5e0440f59275e6233d766f6871c2d9fe6a6beb2bd0b',
  'af02207ac93af3119ebb35b438e16cff7535f595e85',
  'd781103d649d7988cf5d98da1c70b67ffa9afacaf42',
  '6bc0881eb24ebcc467aece6d0e385b3fbd4d7d657a1',
  '35e0440f59375e6233d76736871c2d9fdea6beb2bd0',
  '9af02207ac9baf3119ebb39b438e16cfaf535f595e8',
  '4d781103d64dd7988cf5dbcda1c70b6797a9afacaf4',
  '26bc0881eb26ebcc467aefe6d0e385b38bd4d7d657a',
  '935e0440f59375e6233d77f36871c2d985ea6beb2bd',
  '49af02207ad9baf3119ebbf9b438e16cc2f535f595e',
  '24d781103d6cdd7988cf5ffcda1c70b6217a9afacaf',
  '926bc0881eb66ebcc467adfe6d0e385b50bd4d7d657',
  'c935e0440f5b375e6233d4ff36871c2de85ea6beb2b',
  '649af02207bd9baf3119ea7f9b438e16f42f535f595',
  'b24d781103cecdd7988cf73fcda1c70b7a17a9afaca',
  '5926bc0881f766ebcc46799fe6d0e385bd0bd4d7d65',
  'ac935e0440ebb375e6233ecff36871c2de85ea6beb2',
  'd649af022075d9baf3119f67f9b438e12f42f535f59',
  'eb24d781103aecdd7988cdb3fcda1c70d7a17a9afac',
  'f5926bc0881d766ebcc466d9fe6d0e382bd0bd4d7d6',
  '7ac935e0441ebb375e62316cff36871c15e85ea6beb',
  '3d649af0220f5d9baf3118b67f9b438e4af42f535f5',
  '1eb24d781107aecdd7988c5b3fcda1c7657a17a9afa',
  '0f5926bc0893d766ebcc442d9fe6d0e3b2bd0bd4d7d',
  '07ac935e0459ebb375e62216cff36871d95e85ea6be',
  '03d649af022cf5d9baf3130b67f9b438acaf42f535f',
  '81eb24d781067aecdd798b85b3fcda1c5657a17a9af',
  '40f5926bc0833d766ebcc5c2d9fe6d0e6b2bd0bd4d7',
  '14d42f42b298f498064bc633d766ebcc103d649af02',
  '0a6a17a1595c7a4c0325e119ebb375e6081eb24d781',
  '05350bd0acae3d260192f08cf5d9baf3440f5926bc0',
  '829a85e856471e9300c978467aecdd79a207ac935e0',
  '414d42f42b238f498064be233d766ebc9103d649af0',
  'a0a6a17a1591c7a4c0325f119ebb375e0881eb24d78',
  '505350bd0ad8e3d260192d88cf5d9baf0440f5926bc',
  '2829a85e857c71e9300c94c467aecdd782207ac935e',
  '9414d42f42be38f498064a6233d766eb81103d649af',
  'ca0a6a17a14f1c7a4c03273119ebb375c0881eb24d7',
  '6505350bd0b78e3d260193988cf5d9bae0440f5926b',
  'b2829a85e84bc71e9300cbcc467aecdd702207ac935',
  '59414d42f425e38f498065e6233d766ef81103d649a',
  'aca0a6a17a12f1c7a4c032f3119ebb373c0881eb24d',
  '56505350bd0978e3d260197988cf5d9bde0440f5926',
  '2b2829a85e84bc71e9300ebcc467aecdaf02207ac93',
  '159414d42f525e38f498075e6233d766d781103d649',
  '0aca0a6a17b92f1c7a4c03af3119ebb36bc0881eb24',
  '856505350bcc978e3d2601d7988cf5d9b5e0440f592',
  '42b2829a85e64bc71e9302ebcc467aec9af02207ac9',
  'a159414d42e325e38f498375e6233d764d781103d64',
  'd0aca0a6a16192f1c7a4c1baf3119ebb26bc0881eb2',
  'e856505350a0c978e3d260dd7988cf5d935e0440f59',
  'f42b2829a84064bc71e9326ebcc467aec9af02207ac',
  '7a159414d420325e38f49b375e6233d724d781103d6',
  'bd0aca0a6a00192f1c7a4d9baf3119eb926bc0881eb',
  '5e85650535100c978e3d26cdd7988cf5c935e0440f5',
  '2f42b2829a98064bc71e9366ebcc467ae49af02207a',
  '17a159414d4c0325e38f4bb375e6233d324d781103d',
  '0bd0aca0a6a60192f1c7a5d9baf3119ed926bc0881e',
  '85e85650535300c978e3d2ecdd7988cf2c935e0440f',
  '42f42b2829a98064bc71e9766ebcc467d649af02207',
  'a17a159414c4c0325e38f6bb375e6233eb24d781103',
  '50bd0aca0a7260192f1c7b5d9baf3119f5926bc0881',
  'a85e85650529300c978e3faecdd7988cfac935e0440',
  'd42f42b2829498064bc71fd766ebcc463d649af0220',
  '6a17a159415a4c0325e38debb375e6231eb24d78110',
  '350bd0aca0bd260192f1c4f5d9baf3118f5926bc088',
  '9a85e856505e9300c978e27aecdd798887ac935e044',
  '4d42f42b282f498064bc733d766ebcc403d649af022',
  'a6a17a159407a4c0325e399ebb375e6201eb24d7811',
  '5350bd0aca03d260192f1ccf5d9baf3140f5926bc08',
  '29a85e856511e9300c978c67aecdd798a07ac935e04',
  '385b3fcda1c29a85e856537e14db287ec67aecdd798',
  '1c2d9fe6d0e14d42f42b2bbf0a6d943f233d766ebcc',
  '8e16cff36860a6a17a1595df8536ca1f919ebb375e6',
  'c70b67f9b4305350bd0acaefc29b650f88cf5d9baf3',
  'e385b3fcda0829a85e856777e14db287c467aecdd79',
  '71c2d9fe6d1414d42f42b3bbf0a6d943e233d766ebc',
  '38e16cff368a0a6a17a15bddf8536ca1b119ebb375e',
  '1c70b67f9b4505350bd0afeefc29b650988cf5d9baf',
  '0e385b3fcdb2829a85e857f77e14db284c467aecdd7',
  '871c2d9fe6d9414d42f429fbbf0a6d9466233d766eb',
  '438e16cff36ca0a6a17a14fddf8536ca73119ebb375',
  'a1c70b67f9b6505350bd087eefc29b657988cf5d9ba',
  'd0e385b3fccb2829a85e843f77e14db2bcc467aecdd',
  '6871c2d9fe759414d42f421fbbf0a6d95e6233d766e',
  'b438e16cff2aca0a6a17a10fddf8536caf3119ebb37',
  'da1c70b67f856505350bd287eefc29b657988cf5d9b',
  '6d0e385b3fc2b2829a85e943f77e14db6bcc467aecd',
  '36871c2d9fe159414d42f4a1fbbf0a6df5e6233d766',
  '9b438e16cff0aca0a6a17a50fddf8536baf3119ebb3',
  'cda1c70b67e856505350bf287eefc29b5d7988cf5d9',
  'e6d0e385b3f42b2829a85d943f77e14deebcc467aec',
  'f36871c2d9fa159414d42eca1fbbf0a6b75e6233d76',
  'f9b438e16cfd0aca0a6a17650fddf8531baf3119ebb',
  'fcda1c70b67e8565053509b287eefc29cdd7988cf5d',
  'fe6d0e385b2f42b2829a86d943f77e14e6ebcc467ae',
  'ff36871c2d97a159414d436ca1fbbf0a3375e6233d7',
  '7f9b438e16cbd0aca0a6a1b650fddf8559baf3119eb',
  '3fcda1c70b65e856505350db287eefc2ecdd7988cf5',
  '9fe6d0e385a2f42b2829aa6d943f77e1766ebcc467a',
  'cff36871c2c17a159414d536ca1fbbf0bb375e6233d',
  '67f9b438e170bd0aca0a6a9b650fddf85d9baf3119e',
  'b3fcda1c70a85e856505354db287eefc2ecdd7988cf',
  'd9fe6d0e38542f42b28298a6d943f77e5766ebcc467',
  '6cff36871c2a17a159414c536ca1fbbf6bb375e6233',
  'b67f9b438e150bd0aca0a429b650fddff5d9baf3119',
  '5b3fcda1c71a85e856505214db287eeffaecdd7988c',
  '2d9fe6d0e38d42f42b282b0a6d943f77bd766ebcc46',
  '16cff36871c6a17a1594178536ca1fbb9ebb375e623',
  '0b67f9b438f350bd0aca0bc29b650fddcf5d9baf311',
  '85b3fcda1c69a85e856507e14db287eee7aecdd7988',
  'c2d9fe6d0e34d42f42b283f0a6d943f733d766ebcc4',
  'e16cff36870a6a17a15941f8536ca1fb99ebb375e62',
  '70b67f9b4385350bd0aca2fc29b650fd8cf5d9baf31',
];

function fromHexRows(rows: readonly string[], K: number): Int8Array {
  const H = new Int8Array(K * K);
  rows.forEach((hex, i) => {
    for (let j = 0; j < K; j++) {
      const digit = parseInt(hex[j >> 2], 16);
      H[i * K + j] = (digit >> (3 - (j & 3))) & 1 ? 1 : -1;
    }
  });
  return H;
}

/** GF(q) for q prime or q = 25 (x² = r, r the smallest non-residue mod 5): subtraction and χ. */
function field(q: number): { sub: (i: number, j: number) => number; chi: (i: number) => number } {
  let p = q;
  let square = false;
  if (q === 25) {
    p = 5;
    square = true;
  }
  const sub = square
    ? (i: number, j: number) =>
        (((((i % p) - (j % p)) % p) + p) % p) + p * ((((Math.floor(i / p) - Math.floor(j / p)) % p) + p) % p)
    : (i: number, j: number) => (((i - j) % q) + q) % q;
  const squares = new Set<number>();
  if (square) {
    // Non-residue r mod p: the smallest r with no square root.
    const res = new Set<number>();
    for (let a = 1; a < p; a++) res.add((a * a) % p);
    let r = 2;
    while (res.has(r)) r++;
    for (let a = 0; a < p; a++)
      for (let b = 0; b < p; b++) {
        if (a === 0 && b === 0) continue;
        // (a + b x)² = a² + r b² + 2ab x.
        squares.add(((a * a + r * b * b) % p) + p * ((2 * a * b) % p));
      }
  } else for (let a = 1; a < q; a++) squares.add((a * a) % q);
  return { sub, chi: (i) => (i === 0 ? 0 : squares.has(i) ? 1 : -1) };
}

function paleyI(q: number): Int8Array {
  const K = q + 1;
  const { sub, chi } = field(q);
  const H = new Int8Array(K * K);
  for (let i = 0; i < K; i++)
    for (let j = 0; j < K; j++) {
      let s: number;
      if (i === 0) s = j === 0 ? 0 : 1;
      else if (j === 0) s = -1;
      else s = chi(sub(i - 1, j - 1));
      H[i * K + j] = (i === j ? 1 : 0) + s;
    }
  return H;
}

function paleyII(q: number): Int8Array {
  const n = q + 1;
  const K = 2 * n;
  const { sub, chi } = field(q);
  const H = new Int8Array(K * K);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      const c = i === 0 ? (j === 0 ? 0 : 1) : j === 0 ? 1 : chi(sub(i - 1, j - 1));
      // c·[[1, 1], [1, −1]] + δ_ij·[[1, −1], [−1, −1]]
      const d = i === j ? 1 : 0;
      H[2 * i * K + 2 * j] = c + d;
      H[2 * i * K + 2 * j + 1] = c - d;
      H[(2 * i + 1) * K + 2 * j] = c - d;
      H[(2 * i + 1) * K + 2 * j + 1] = -c - d;
    }
  return H;
}

function doubled(H: Int8Array, K: number): Int8Array {
  const M = 2 * K;
  const out = new Int8Array(M * M);
  for (let i = 0; i < K; i++)
    for (let j = 0; j < K; j++) {
      const v = H[i * K + j];
      out[i * M + j] = v;
      out[i * M + j + K] = v;
      out[(i + K) * M + j] = v;
      out[(i + K) * M + j + K] = -v;
    }
  return out;
}

const CACHE = new Map<number, Int8Array>();

/** The ±1 Hadamard matrix H_K (row-major K × K) for K in HADAMARD_K. */
export function hadamardMatrix(K: number): Int8Array {
  const hit = CACHE.get(K);
  if (hit) return hit;
  let H: Int8Array;
  switch (K) {
    case 12:
    case 20:
    case 60:
    case 108:
    case 140:
      H = paleyI(K - 1);
      break;
    case 28:
    case 36:
    case 52:
      H = paleyII(K / 2 - 1);
      break;
    case 40:
      H = doubled(hadamardMatrix(20), 20);
      break;
    case 156:
      H = fromHexRows(TABLE_156, 156);
      break;
    case 172:
      H = fromHexRows(TABLE_172, 172);
      break;
    default:
      throw new RangeError(`no Hadamard matrix of order ${K} here (have ${HADAMARD_K.join(', ')})`);
  }
  CACHE.set(K, H);
  return H;
}

/** N = K·P as (K, P), K ∈ {1} ∪ HADAMARD_K, P a power of two (smallest K); null when N has no such form. */
export function hadamardFactor(N: number): { K: number; P: number } | null {
  if (isPowerOfTwo(N)) return { K: 1, P: N };
  for (const K of HADAMARD_K) if (N % K === 0 && isPowerOfTwo(N / K)) return { K, P: N / K };
  return null;
}

/** Smallest order N ≥ n with a Hadamard matrix here: a power of two or K·2^j, K ∈ HADAMARD_K. */
export function smallestHadamardOrder(n: number): number {
  if (!(n >= 1)) throw new RangeError(`smallestHadamardOrder: n must be ≥ 1, got ${n}`);
  let best = 1;
  while (best < n) best *= 2;
  for (const K of HADAMARD_K) {
    let N = K;
    while (N < n) N *= 2;
    if (N < best) best = N;
  }
  return best;
}

/**
 * In place: a[off .. off+N) ← (H_K ⊗ H_P)·a/√N, or its transpose (the inverse) when `transpose`.
 * `col` is scratch of length ≥ 2K.
 */
export function kronHadamardInPlace(
  a: Float64Array,
  off: number,
  K: number,
  P: number,
  transpose: boolean,
  col: Float64Array,
): void {
  const N = K * P;
  for (let s = 0; s < K; s++) fwhtInPlace(a, off + s * P, P);
  if (K > 1) {
    const H = hadamardMatrix(K);
    for (let b = 0; b < P; b++) {
      for (let i = 0; i < K; i++) col[i] = a[off + i * P + b];
      for (let i = 0; i < K; i++) {
        let sum = 0;
        if (transpose) for (let j = 0; j < K; j++) sum += H[j * K + i] * col[j];
        else for (let j = 0; j < K; j++) sum += H[i * K + j] * col[j];
        col[K + i] = sum;
      }
      for (let i = 0; i < K; i++) a[off + i * P + b] = col[K + i];
    }
  }
  const scale = 1 / Math.sqrt(N);
  for (let i = off; i < off + N; i++) a[i] *= scale;
}

/**
 * R = B_R·D_R ⋯ B_1·D_1 on rows zero-padded from dim to outDim, each B block-diagonal with blocks
 * (H_K ⊗ H_P)/√N of the given sizes (consecutive, summing to outDim), D_r = diag(±1) or I.
 * Orthogonal; the inverse applies the transposes in reverse and returns the first dim coordinates.
 */
export class KronHadamardTransform {
  private readonly work: Float64Array;
  private readonly col: Float64Array;
  private readonly blocks: readonly { off: number; K: number; P: number }[];

  constructor(
    readonly dim: number,
    readonly outDim: number,
    sizes: readonly number[],
    readonly signs: readonly (Float64Array | null)[],
  ) {
    let off = 0;
    let maxK = 1;
    const blocks: { off: number; K: number; P: number }[] = [];
    for (const N of sizes) {
      const f = hadamardFactor(N);
      if (!f) throw new RangeError(`hadamard: no Hadamard matrix of order ${N}`);
      blocks.push({ off, ...f });
      maxK = Math.max(maxK, f.K);
      off += N;
    }
    if (off !== outDim || outDim < dim)
      throw new RangeError(`hadamard: block sizes sum to ${off}, expected outDim ${outDim} ≥ dim ${dim}`);
    for (const s of signs)
      if (s && s.length !== outDim)
        throw new RangeError(`hadamard: sign vector length ${s.length} ≠ ${outDim}`);
    this.blocks = blocks;
    this.work = new Float64Array(outDim);
    this.col = new Float64Array(2 * maxK);
  }

  private apply(w: Float64Array, transpose: boolean): void {
    for (const b of this.blocks) kronHadamardInPlace(w, b.off, b.K, b.P, transpose, this.col);
  }

  forward(input: Float32Array, rows: number, out: Float32Array): void {
    const { dim, outDim, work: w } = this;
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < dim; i++) w[i] = input[r * dim + i];
      w.fill(0, dim);
      for (const s of this.signs) {
        if (s) for (let i = 0; i < outDim; i++) w[i] *= s[i];
        this.apply(w, false);
      }
      for (let i = 0; i < outDim; i++) out[r * outDim + i] = w[i];
    }
  }

  inverse(input: Float32Array, rows: number, out: Float32Array): void {
    const { dim, outDim, work: w } = this;
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < outDim; i++) w[i] = input[r * outDim + i];
      for (let k = this.signs.length - 1; k >= 0; k--) {
        this.apply(w, true);
        const s = this.signs[k];
        if (s) for (let i = 0; i < outDim; i++) w[i] *= s[i];
      }
      for (let i = 0; i < dim; i++) out[r * dim + i] = w[i];
    }
  }
}
