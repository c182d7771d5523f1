// The page templates: escaping by default, raw output refused, the shipped templates load.
#include "server/render/templates.h"

#include <gtest/gtest.h>

namespace keyward::server {
namespace {

using json = nlohmann::json;

TEST(Templates, EveryValueIsEscaped) {
  auto t = Templates::from_strings(
      "<title>{{title}}</title>{{> page}}",
      {{Page::Login, "<p title=\"{{v}}\">{{v}}</p>{{#items}}<i>{{x}}</i>{{/items}}"}}, "css");
  ASSERT_TRUE(t.ok()) << t.error();
  const std::string html =
      (*t)->render(Page::Login, {{"title", "<T>"},
                                 {"v", "\"><script>alert('x')</script>&"},
                                 {"items", json::array({{{"x", "<b>"}}, {{"x", "ok"}}})}});
  EXPECT_EQ(html,
            "<title>&lt;T&gt;</title><p title=\"&quot;&gt;&lt;script&gt;alert(&apos;x&apos;)&lt;/"
            "script&gt;&amp;\">&quot;&gt;&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt;&amp;</"
            "p><i>&lt;b&gt;</i><i>ok</i>");
}

TEST(Templates, NullAndFalseHideSections) {
  auto t = Templates::from_strings("{{> page}}",
                                   {{Page::Login, "{{#e}}[{{e}}]{{/e}}{{^e}}none{{/e}}"}}, "");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ((*t)->render(Page::Login, {{"e", nullptr}}), "none");
  EXPECT_EQ((*t)->render(Page::Login, {{"e", false}}), "none");
  EXPECT_EQ((*t)->render(Page::Login, {{"e", "x"}}), "[x]");
}

TEST(Templates, RawOutputAndDelimiterChangesAreRefused) {
  for (const std::string bad : {"{{{x}}}", "{{&x}}", "{{ &x}}", "{{=<% %>=}}<%x%>", "{{#a}}"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(Templates::check(bad).ok());
    EXPECT_FALSE(Templates::from_strings("{{> page}}", {{Page::Account, bad}}, "").ok());
    EXPECT_FALSE(Templates::from_strings(bad, {}, "").ok());
    EXPECT_FALSE(Templates::from_strings("{{> page}}", {}, "", bad).ok());
  }
  EXPECT_TRUE(Templates::check("{{x}} {{#a}}{{b}}{{/a}}").ok());
}

TEST(Templates, TheShippedTemplatesLoadAndRender) {
  auto t = Templates::load(std::string(KEYWARD_SOURCE_DIR) + "/templates");
  ASSERT_TRUE(t.ok()) << t.error();
  EXPECT_FALSE((*t)->stylesheet().empty());
  const std::string login =
      (*t)->render(Page::Login, {{"title", "Sign in"},
                                 {"client_name", "A&B"},
                                 {"csrf_token", "tok"},
                                 {"params", json::array({{{"name", "state"}, {"value", "\"x"}}})}});
  EXPECT_NE(login.find("<html lang=\"en\">"), std::string::npos);
  EXPECT_NE(login.find("A&amp;B"), std::string::npos);
  EXPECT_NE(login.find("<input type=\"hidden\" name=\"state\" value=\"&quot;x\">"),
            std::string::npos);
  EXPECT_NE(login.find("<label for=\"username\">"), std::string::npos);
  EXPECT_FALSE(Templates::load("/nonexistent").ok());
  // The forms' error block is one partial, escaped like everything else.
  for (Page page : {Page::Login, Page::Signup, Page::Recover, Page::Reset, Page::Account}) {
    const std::string html = (*t)->render(page, {{"error", "<b>wrong</b>"}, {"csrf_token", "t"}});
    EXPECT_NE(html.find("<div class=\"alert\" role=\"alert\" id=\"form-error\">"),
              std::string::npos)
        << page_file(page);
    EXPECT_NE(html.find("<p>&lt;b&gt;wrong&lt;/b&gt;</p>"), std::string::npos) << page_file(page);
    EXPECT_EQ((*t)->render(page, {{"csrf_token", "t"}}).find("role=\"alert\""), std::string::npos);
  }
}

}  // namespace
}  // namespace keyward::server
