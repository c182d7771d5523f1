// The admin API's problem documents for operation failures: the 500's "the server log has
// the details" must be true (the storage failure is kept for the log line), and neither the
// answer nor that line may carry PostgreSQL's DETAIL text, which can quote values.
#include <gtest/gtest.h>

#include "server/admin/problem.h"

namespace keyward::server::admin {
namespace {

operations::OperationError storage_failure(storage::StorageErrorCode code) {
  return operations::OperationError::from_storage(storage::StorageError{
      code,
      "ERROR:  duplicate key value violates unique constraint \"users_username_key\"\n"
      "DETAIL:  Key (username)=(secret-value) already exists.",
      "users_username_key"});
}

TEST(AdminProblem, AFailedOperationKeepsTheStorageErrorForTheLogOnly) {
  const auto r = problem_for(storage_failure(storage::StorageErrorCode::Failed));
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.log_error.find("violates unique constraint"), std::string::npos) << r.log_error;
  EXPECT_NE(r.log_error.find("users_username_key"), std::string::npos) << r.log_error;
  EXPECT_EQ(r.log_error.find("secret-value"), std::string::npos) << r.log_error;
  EXPECT_EQ(r.log_error.find("DETAIL"), std::string::npos) << r.log_error;
  EXPECT_EQ(r.body.find("violates"), std::string::npos) << r.body;
}

TEST(AdminProblem, AnUnreachableDatabaseIsLoggedToo) {
  const auto r = problem_for(storage_failure(storage::StorageErrorCode::Unavailable));
  EXPECT_EQ(r.status, 503);
  EXPECT_FALSE(r.log_error.empty());
  EXPECT_EQ(r.log_error.find("secret-value"), std::string::npos) << r.log_error;
}

TEST(AdminProblem, ClientErrorsLeaveTheLogAlone) {
  const auto r = problem_for(operations::OperationError::invalid("bad", "field"));
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.log_error.empty());
}

}  // namespace
}  // namespace keyward::server::admin
