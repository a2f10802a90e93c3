// The role page's query, on its own so that the build can put it into index.html
// too: a small inline script there sends it as soon as the page starts loading, in
// parallel with the app's script (see vite.config.ts and prefetch.ts).

export const MONEY_FIELDS = `
  fragment MoneyFields on Money { amount currency formatted }
`;

export const ROLE_PAGE = `
  query RolePage($slug: String!) {
    role(slug: $slug) {
      id slug title summary updatedAt
      reviewer { name title }
      keySkills { id name slug }
      salaryBenchmarks {
        id country currency source asOf
        median { ...MoneyFields }
        low { ...MoneyFields }
        high { ...MoneyFields }
        levels { level amount { ...MoneyFields } }
      }
      questions {
        id position prompt category
        myStarDrafts { id title status version updatedAt }
      }
      prepSteps { id position text }
      timeline { id position label daysBefore tasks { id position text } }
      mistakes { id position title explanation }
      faqs { id position question answer }
      resources { id position title kind url }
    }
  }
  ${MONEY_FIELDS}
`;
