// jws_sign and jws_verify keep, per thread, a context prepared once per key and copy it for
// each operation (jose/jws.cpp). More keys than a thread keeps, used in turn and on several
// threads at once, must each still sign and verify as themselves and no other key.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "jose/evp_key.h"
#include "jose/jws.h"

namespace keyward::jose {
namespace {

std::vector<PrivateKey> keys_of_every_kind() {
  std::vector<PrivateKey> keys;
  for (const Alg alg : {Alg::RS256, Alg::ES256, Alg::EdDSA, Alg::RS256, Alg::ES256, Alg::EdDSA}) {
    keys.push_back(PrivateKey::generate(alg));
  }
  return keys;
}

TEST(JwsContexts, ManyKeysInTurnSignAndVerifyAsThemselves) {
  const auto keys = keys_of_every_kind();
  for (int round = 0; round < 3; ++round) {
    for (size_t i = 0; i < keys.size(); ++i) {
      const std::string input = "round " + std::to_string(round) + " key " + std::to_string(i);
      const std::string signature = jws_sign(keys[i], input);
      EXPECT_TRUE(jws_verify(keys[i].public_key(), keys[i].alg(), input, signature)) << i;
      EXPECT_FALSE(jws_verify(keys[i].public_key(), keys[i].alg(), input + ".", signature)) << i;
      // The other key of the same kind (three apart) does not take it.
      const auto& twin = keys[(i + 3) % keys.size()];
      EXPECT_FALSE(jws_verify(twin.public_key(), twin.alg(), input, signature)) << i;
    }
  }
}

TEST(JwsContexts, SigningOnManyThreadsAtOnce) {
  const auto keys = keys_of_every_kind();
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&keys, &wrong, t] {
      for (int i = 0; i < 30; ++i) {
        const auto& key = keys[static_cast<size_t>(i + t) % keys.size()];
        const std::string input = "thread " + std::to_string(t) + " " + std::to_string(i);
        if (!jws_verify(key.public_key(), key.alg(), input, jws_sign(key, input))) ++wrong;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace keyward::jose
