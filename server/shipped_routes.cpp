#include "server/compose.h"

namespace keyward::server {

// The shipped keyward serves exactly the routes compose.cpp builds: nothing for tests.
ExtraRoutes extra_routes() {
  return {};
}

}  // namespace keyward::server
